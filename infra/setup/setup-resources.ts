// The dynamic resources of a lab: one per kind of setup step (specs.ts: SetupStep), its inputs from setup-inputs.ts,
// created through the providers of kafka-providers.cjs (SCRAM user, topics, readiness) and rest-providers.cjs
// (connectors, schemas) once the containers they wait for are healthy; and the network and the health waits, through
// docker-providers.cjs.

import * as pulumi from "@pulumi/pulumi";
import dockerProviders from "../docker/docker-providers.cjs";
import providers from "./kafka-providers.cjs";
import type { HealthInputs, NetworkInputs, VolumeRemovalInputs } from "./provider-inputs.cjs";
import restProviders from "./rest-providers.cjs";
import type { EngineSettings } from "../docker/docker-engine.cjs";
import { providerInputs, type SetupKind, type StepRefs } from "./setup-inputs.js";
import type { SetupStep } from "../model/specs.js";

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

/** The lab's Docker network, made through the engine API (docker-providers.cjs). */
export class LabNetwork extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  constructor(name: string, args: NetworkInputs<pulumi.Input<EngineSettings>>, opts: pulumi.CustomResourceOptions) {
    super(dockerProviders.networkProvider, name, { ...args }, opts, "kafka-lab", "LabNetwork");
  }
}

/** Exists once the container is healthy: its own healthcheck passed (docker-providers.cjs). */
export class ContainerHealthy extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: HealthInputs<pulumi.Input<string>, pulumi.Input<EngineSettings>>,
    opts: pulumi.CustomResourceOptions,
  ) {
    super(dockerProviders.healthProvider, name, { ...args }, opts, "kafka-lab", "ContainerHealthy");
  }
}

/** Removes a volume once its containers are gone, unless the lab keeps its volumes (docker-providers.cjs). */
export class VolumeRemoval extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: VolumeRemovalInputs<pulumi.Input<EngineSettings>>,
    opts: pulumi.CustomResourceOptions,
  ) {
    super(dockerProviders.volumeRemovalProvider, name, { ...args }, opts, "kafka-lab", "VolumeRemoval");
  }
}
