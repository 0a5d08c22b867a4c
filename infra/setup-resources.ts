// The setup steps as Pulumi resources: one dynamic resource per kind of step (specs.ts: SetupStep), its inputs from
// setup-inputs.ts, created through the providers of kafka-providers.cjs (SCRAM user, topics, readiness) and
// rest-providers.cjs (connectors, schemas) once the containers they wait for are healthy.

import * as pulumi from "@pulumi/pulumi";
import providers from "./kafka-providers.cjs";
import restProviders from "./rest-providers.cjs";
import type { EngineSettings } from "./docker-engine.cjs";
import { providerInputs, type SetupKind, type StepRefs } from "./setup-inputs.js";
import type { SetupStep } from "./specs.js";

/** Each kind's provider and resource type name (the type is part of every URN: renaming it would re-create steps). */
const KINDS: Record<SetupKind, { provider: pulumi.dynamic.ResourceProvider; type: string }> = {
  "scram-user": { provider: providers.scramUserProvider, type: "ScramUser" },
  topic: { provider: providers.topicProvider, type: "KafkaTopic" },
  "consumer-group-readiness": { provider: providers.readinessProvider, type: "ConsumerGroupReadiness" },
  connector: { provider: restProviders.connectorProvider, type: "KafkaConnector" },
  schema: { provider: restProviders.schemaProvider, type: "RegisteredSchema" },
};

/**
 * One setup step: a topic (kafkajs admin), the SCRAM user (kafka-configs in a broker), consumer-group readiness, a
 * connector (Connect's REST API) or a schema (the registry's).
 */
export class SetupResource extends pulumi.dynamic.Resource {
  constructor(
    step: SetupStep,
    refs: StepRefs<pulumi.Input<string>, pulumi.Input<EngineSettings>>,
    opts: pulumi.CustomResourceOptions,
  ) {
    const { kind, inputs } = providerInputs(step, refs);
    const { provider, type } = KINDS[kind];
    super(provider, step.key, { ...inputs }, opts, "kafka-lab", type);
  }
}
