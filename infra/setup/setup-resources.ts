// The dynamic resources of the setup steps every target makes the same way (model/specs.ts: SetupStep), their inputs
// from setup-inputs.ts, created through the providers of kafka-providers.cjs (topics, readiness) and
// rest-providers.cjs (connectors, schemas) once the nodes they wait for are ready.

import * as pulumi from "@pulumi/pulumi";
import providers from "./kafka-providers.cjs";
import restProviders from "./rest-providers.cjs";
import { providerInputs, type SetupKind, type SharedStep, type StepRefs } from "./setup-inputs.js";

/** Each kind's provider and resource type name (the type is part of every URN: renaming it would re-create steps). */
const KINDS: Record<SetupKind, { provider: pulumi.dynamic.ResourceProvider; type: string }> = {
  topic: { provider: providers.topicProvider, type: "KafkaTopic" },
  "consumer-group-readiness": { provider: providers.readinessProvider, type: "ConsumerGroupReadiness" },
  connector: { provider: restProviders.connectorProvider, type: "KafkaConnector" },
  schema: { provider: restProviders.schemaProvider, type: "RegisteredSchema" },
};

/** One setup step: a topic (kafkajs admin), consumer-group readiness, a connector (Connect's REST API) or a schema. */
export class SetupResource extends pulumi.dynamic.Resource {
  constructor(step: SharedStep, refs: StepRefs<pulumi.Input<string>>, opts: pulumi.CustomResourceOptions) {
    const { kind, inputs } = providerInputs(step, refs);
    const { provider, type } = KINDS[kind];
    super(provider, step.key, { ...inputs }, opts, "kafka-lab", type);
  }
}
