// The Docker target's own dynamic resources, through docker-providers.cjs and the engine API: the lab's network, the
// wait until a container is healthy, the removal of a volume, and the SCRAM user (kafka-configs in a broker).

import * as pulumi from "@pulumi/pulumi";
import dockerProviders from "./docker-providers.cjs";
import type { HealthInputs, NetworkInputs, ScramUserInputs, VolumeRemovalInputs } from "./docker-inputs.cjs";
import type { EngineSettings } from "./docker-engine.cjs";

type Engine = pulumi.Input<EngineSettings>;

/** The lab's Docker network, made through the engine API. */
export class LabNetwork extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  constructor(name: string, args: NetworkInputs<Engine>, opts: pulumi.CustomResourceOptions) {
    super(dockerProviders.networkProvider, name, { ...args }, opts, "kafka-lab", "LabNetwork");
  }
}

/** Exists once the container is healthy: its own healthcheck passed. */
export class ContainerHealthy extends pulumi.dynamic.Resource {
  constructor(name: string, args: HealthInputs<pulumi.Input<string>, Engine>, opts: pulumi.CustomResourceOptions) {
    super(dockerProviders.healthProvider, name, { ...args }, opts, "kafka-lab", "ContainerHealthy");
  }
}

/** Removes a volume once its containers are gone, unless the lab keeps its volumes. */
export class VolumeRemoval extends pulumi.dynamic.Resource {
  constructor(name: string, args: VolumeRemovalInputs<Engine>, opts: pulumi.CustomResourceOptions) {
    super(dockerProviders.volumeRemovalProvider, name, { ...args }, opts, "kafka-lab", "VolumeRemoval");
  }
}

/** The SCRAM user of the OUTSIDE listener, made by kafka-configs in a broker container (its type: as it always was). */
export class ScramUser extends pulumi.dynamic.Resource {
  constructor(name: string, args: ScramUserInputs<pulumi.Input<string>, Engine>, opts: pulumi.CustomResourceOptions) {
    super(dockerProviders.scramUserProvider, name, { ...args }, opts, "kafka-lab", "ScramUser");
  }
}
