// KafkaLab: the thin Pulumi layer. It turns the pure topology into Docker resources, then each setup step into
// its dynamic resource; every name, env var, port, healthcheck and step comes from topology.ts and services/.

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { LabConfig } from "../model/config.js";
import { scramCredential } from "../model/services/broker.js";
import { isSharedStep } from "../setup/setup-inputs.js";
import { SetupResource } from "../setup/setup-resources.js";
import { ContainerHealthy, LabNetwork, ScramUser, VolumeRemoval } from "./docker-resources.js";
import type { EngineSettings } from "./docker-engine.cjs";
import { engineOf, providerArgs } from "./engine.js";
import type { LabPlan } from "../model/lab-plan.js";
import type { ContainerSpec } from "../model/specs.js";
import { dockerVolumes, volumesOf } from "./volumes.js";
import { buildTopology, type LabTopology } from "../model/topology.js";

/**
 * The Docker provider plugin every lab uses. @pulumi/docker 5.0.0 (the SDK) would ask for plugin 5.0.0; the plugin
 * that CI runs is 5.1.0, so users get exactly that one (pulumi up downloads it once).
 */
export const DOCKER_PROVIDER_VERSION = "5.1.0";

export interface KafkaLabArgs {
  /** Parsed and validated configuration (see config.ts: parseLabConfig). */
  config: LabConfig;
  /** What the lab settled when it was made (lab-plan.ts); default: a lab made now on the conventional ports. */
  plan?: LabPlan;
}

function toLabels(labels: Record<string, string>): docker.types.input.ContainerLabel[] {
  return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

const seconds = (n: number) => `${n}s`;

export class KafkaLab extends pulumi.ComponentResource {
  readonly topology: LabTopology;
  readonly containers: Record<string, docker.Container> = {};
  /** Per container: exists once it is healthy (its own healthcheck passed). */
  readonly healthy: Record<string, ContainerHealthy> = {};
  /** Every stack output of the lab; each resolves once the containers are healthy and every setup step is done. */
  readonly outputs: Record<string, pulumi.Output<string | string[]>>;
  private readonly dockerOptions: pulumi.CustomResourceOptions;
  private readonly network: LabNetwork;
  /** The engine the lab's keys name, as a secret (its TLS key), for the resources that call the engine themselves. */
  private readonly engine: { engine?: pulumi.Output<EngineSettings> };

  constructor(name: string, args: KafkaLabArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-lab:index:KafkaLab", name, {}, opts);
    const topology = buildTopology(args.config, { project: pulumi.getProject(), stack: pulumi.getStack() }, args.plan);
    this.topology = topology;
    // The engine the lab's keys name (their TLS key as a secret); without dockerHost the provider reads the
    // environment (DOCKER_HOST, ...) itself, as the setup steps' transport does.
    const configured = engineOf(args.config);
    const { keyMaterial, ...engineArgs } = providerArgs(configured);
    const provider = new docker.Provider(
      "docker",
      { ...engineArgs, ...(keyMaterial ? { keyMaterial: pulumi.secret(keyMaterial) } : {}) },
      { parent: this, version: DOCKER_PROVIDER_VERSION },
    );
    this.dockerOptions = { parent: this, provider };
    this.engine = configured ? { engine: pulumi.secret(configured) } : {};

    // Through the engine API: the Docker provider's network waits a fixed 2 s after each create and delete.
    this.network = new LabNetwork(
      "lab-network",
      { name: topology.network.name, labels: topology.network.labels, ...this.engine },
      { parent: this },
    );
    const images = new Map(
      topology.images.map((image) => [
        image,
        new docker.RemoteImage(
          `image-${image}`,
          { name: image, keepLocally: args.config.keepImages },
          this.dockerOptions,
        ),
      ]),
    );
    // Persistence: named volumes. The provider's volume delete waits a fixed 2 s, so the provider retains them and a
    // VolumeRemoval after each (which the containers depend on) removes them once the containers are gone, unless
    // the lab keeps its volumes (keepVolumes).
    const volumes = dockerVolumes(topology).map((volume) => {
      const made = new docker.Volume(
        `volume-${volume.name}`,
        { name: volume.name, labels: toLabels(volume.labels) },
        { ...this.dockerOptions, retainOnDelete: true },
      );
      return new VolumeRemoval(
        `removal-${volume.name}`,
        { name: volume.name, keep: volume.keep, ...this.engine },
        { parent: this, dependsOn: [made] },
      );
    });
    for (const spec of topology.containers) {
      // Deleted in the reverse order, so a broker stops before the ZooKeeper it depends on, also when it started
      // beside it (its image waits for its dependencies by itself).
      const after = spec.dependsOn.map((key) =>
        spec.waitsForDependencies ? this.containers[key]! : this.healthy[key]!,
      );
      const container = this.container(spec, images.get(spec.image)!, [...after, ...volumes]);
      this.containers[spec.key] = container;
      this.healthy[spec.key] = new ContainerHealthy(
        `healthy-${spec.key}`,
        {
          container: container.name,
          containerId: container.id,
          probe: spec.healthcheck.test.slice(1),
          timeoutSeconds: topology.waitTimeoutSeconds,
          ...this.engine,
        },
        { parent: this, dependsOn: [container] },
      );
    }

    const done = this.setupSteps(args.config.outsidePassword);
    // Outputs resolve only once the containers are healthy and every setup step is done.
    const ready = pulumi.all(done.map((r) => r.id));
    this.outputs = Object.fromEntries(
      Object.entries(topology.outputs).map(([key, output]) => [key, ready.apply(() => output.value)]),
    );
    this.registerOutputs(this.outputs);
  }

  /**
   * Each step after the containers and steps it names. What lives in kept volumes (topics, their messages, the
   * SCRAM user) is retained on destroy too, so the next `pulumi up` finds the data where it was.
   */
  private setupSteps(password: string): pulumi.CustomResource[] {
    const { topology } = this;
    const made = new Map<string, pulumi.CustomResource>(Object.entries(this.healthy));
    const retainOnDelete = dockerVolumes(topology).some((v) => v.keep);
    const secret = pulumi.secret(password);
    for (const step of topology.setup) {
      // Changes whenever a container the step waits for is re-created, so its provider ensures it again.
      const containers = step.after.filter((key) => key in this.containers).map((key) => this.containers[key]!.id);
      const clusterToken = pulumi.all(containers).apply((ids) => ids.join(","));
      const opts = { parent: this, retainOnDelete, dependsOn: step.after.map((key) => made.get(key)!) };
      if (isSharedStep(step)) {
        made.set(step.key, new SetupResource(step, { clusterToken, password: secret }, opts));
        continue;
      }
      const { mechanism, username, insideAddress } = step;
      const brokerContainer = this.containers[step.brokerContainer]!.name;
      const credential = secret.apply((pw) => scramCredential(mechanism, pw));
      const inputs = { mechanism, username, insideAddress, brokerContainer, password: secret, clusterToken };
      made.set(step.key, new ScramUser(step.key, { ...inputs, credential, ...this.engine }, opts));
    }
    return [...made.values()];
  }

  private container(spec: ContainerSpec, image: docker.RemoteImage, dependsOn: pulumi.Resource[]): docker.Container {
    const { topology } = this;
    return new docker.Container(
      spec.key,
      {
        name: spec.name,
        image: image.imageId,
        hostname: spec.hostname,
        envs: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        networksAdvanced: [{ name: this.network.name, aliases: spec.aliases }],
        ports: spec.ports.map(({ internal, external, ip }) => ({ internal, external, ip, protocol: "tcp" })),
        volumes: volumesOf(topology, spec).map((v) => ({ volumeName: v.name, containerPath: v.containerPath })),
        // The images declare VOLUMEs; remove those anonymous volumes with the container.
        removeVolumes: true,
        healthcheck: {
          tests: spec.healthcheck.test,
          interval: seconds(spec.healthcheck.intervalSeconds),
          timeout: seconds(spec.healthcheck.timeoutSeconds),
          retries: spec.healthcheck.retries,
          startPeriod: seconds(spec.healthcheck.startPeriodSeconds),
        },
        // Not the provider's wait (an inspect once a second, once the probe's interval has passed): ContainerHealthy
        // runs the container's own probe while it starts.
        wait: false,
        memory: spec.memoryMb,
        // No swap on top of the limit. Unset, Docker stores twice the memory and every preview shows a diff.
        memorySwap: spec.memoryMb,
        // The grace period both for `pulumi destroy` (destroyGraceSeconds, 0 when unset: a killed broker) and for a
        // `docker stop` by hand or by the engine (stopTimeout, the container's own setting; Docker's default is 10 s).
        destroyGraceSeconds: spec.stopGraceSeconds,
        stopTimeout: spec.stopGraceSeconds,
        restart: topology.config.restartPolicy,
        labels: toLabels(spec.labels),
        // A container stopped or killed by hand stays in the state (mustRun would drop it, and the next up could not
        // create one of the same name): its ContainerHealthy finds it on refresh and starts it again.
        mustRun: false,
      },
      // The Docker provider updates a changed healthcheck in its state only; the running container keeps the old
      // one. Replacing the container is how a lab gets the healthcheck its code declares; deleting first, because
      // the new container takes the old one's name and host ports.
      { ...this.dockerOptions, dependsOn, replaceOnChanges: ["healthcheck"], deleteBeforeReplace: true },
    );
  }
}
