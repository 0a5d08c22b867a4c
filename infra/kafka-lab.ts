// KafkaLab: the thin Pulumi layer. It turns the pure topology into Docker resources and topics; every
// name, env var, port and healthcheck comes from topology.ts.

import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { LabConfig } from "./config.js";
import { buildTopology, type ContainerSpec, type LabTopology } from "./topology.js";
import type { TopicSpec } from "./topics.js";
import kafkaProviders from "./kafka-providers.cjs";

const { topicProvider, readinessProvider, scramUserProvider } =
  kafkaProviders as Record<"topicProvider" | "readinessProvider" | "scramUserProvider", pulumi.dynamic.ResourceProvider>;

/** What kafkajs needs to log in on OUTSIDE; always a Pulumi secret (it carries the password). */
type SaslInput = pulumi.Input<{ mechanism: string; username: string; password: string } | undefined>;

export interface KafkaLabArgs {
  /** Parsed and validated configuration (see config.ts: parseLabConfig). */
  config: LabConfig;
}

interface TopicInputs {
  bootstrapServers: pulumi.Input<string>;
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
  /** Changes whenever a broker container is re-created, so the topic is created again on the new broker. */
  clusterToken: pulumi.Input<string>;
  sasl: SaslInput;
}

interface ScramUserInputs {
  brokerContainer: pulumi.Input<string>;
  mechanism: string;
  username: string;
  password: pulumi.Input<string>;
  clusterToken: pulumi.Input<string>;
}

/** The SCRAM user of the OUTSIDE listener, created through kafka-configs in a broker (see kafka-providers.cjs). */
export class ScramUser extends pulumi.dynamic.Resource {
  constructor(name: string, args: ScramUserInputs, opts?: pulumi.CustomResourceOptions) {
    super(scramUserProvider, name, { ...args }, opts, "kafka-lab", "ScramUser");
  }
}

/** A Kafka topic, created and deleted through the kafkajs admin client (see kafka-providers.cjs). */
export class KafkaTopic extends pulumi.dynamic.Resource {
  constructor(name: string, args: TopicInputs, opts?: pulumi.CustomResourceOptions) {
    super(topicProvider, name, { ...args }, opts, "kafka-lab", "KafkaTopic");
  }
}

/** Exists once a consumer group can find its coordinator, so clients started after `pulumi up` work at once. */
export class ConsumerGroupReadiness extends pulumi.dynamic.Resource {
  constructor(name: string, args: Pick<TopicInputs, "bootstrapServers" | "clusterToken" | "sasl">, opts?: pulumi.CustomResourceOptions) {
    super(readinessProvider, name, { ...args }, opts, "kafka-lab", "ConsumerGroupReadiness");
  }
}

/**
 * The Docker provider plugin every lab uses. @pulumi/docker 5.0.0 (the SDK) would ask for plugin 5.0.0; the plugin
 * that CI runs is 5.1.0, so users get exactly that one (pulumi up downloads it once).
 */
export const DOCKER_PROVIDER_VERSION = "5.1.0";

function toLabels(labels: Record<string, string>): docker.types.input.ContainerLabel[] {
  return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

function seconds(n: number): string {
  return `${n}s`;
}

export class KafkaLab extends pulumi.ComponentResource {
  readonly topology: LabTopology;
  readonly network: docker.Network;
  readonly containers: Record<string, docker.Container> = {};
  readonly volumes: docker.Volume[];
  readonly topics: KafkaTopic[];
  readonly readiness: ConsumerGroupReadiness;
  readonly scramUser: ScramUser | undefined;
  readonly bootstrapServers: pulumi.Output<string>;
  readonly internalBootstrapServers: pulumi.Output<string>;
  readonly zookeeperConnect: pulumi.Output<string>;
  readonly networkName: pulumi.Output<string>;
  readonly topicNames: pulumi.Output<string[]>;
  readonly outsideAuth: pulumi.Output<string>;
  readonly outsideUsername: pulumi.Output<string>;
  private readonly dockerOptions: pulumi.CustomResourceOptions;

  constructor(name: string, args: KafkaLabArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-lab:index:KafkaLab", name, {}, opts);
    const topology = buildTopology(args.config, { project: pulumi.getProject(), stack: pulumi.getStack() });
    this.topology = topology;
    const provider = new docker.Provider("docker", {}, { parent: this, version: DOCKER_PROVIDER_VERSION });
    this.dockerOptions = { parent: this, provider };
    const parent = this.dockerOptions;

    this.network = new docker.Network("network", {
      name: topology.network.name,
      driver: "bridge",
      labels: toLabels(topology.network.labels),
    }, parent);

    const images = new Map(topology.images.map((image) => [image.name, new docker.RemoteImage(`image-${image.name}`, {
      name: image.name,
      keepLocally: image.keepLocally,
    }, parent)]));

    // Persistence: named volumes; with keepVolumes they stay behind on destroy (retainOnDelete).
    this.volumes = topology.volumes.map((volume) => new docker.Volume(`volume-${volume.name}`, {
      name: volume.name,
      labels: toLabels(volume.labels),
    }, { ...parent, retainOnDelete: volume.keep }));

    for (const spec of topology.containers) {
      const image = images.get(spec.image)!;
      const dependsOn = [...spec.dependsOn.map((key) => this.containers[key]!), ...this.volumes];
      this.containers[spec.key] = this.container(spec, image, dependsOn, topology.waitTimeoutSeconds);
    }

    const brokers = topology.containers.filter((c) => c.role === "broker").map((c) => this.containers[c.key]!);
    // What lives in the kept volumes (topics, their messages, the SCRAM user) stays too: destroy leaves it alone,
    // so the next `pulumi up` finds the data where it was.
    const dataOptions = { parent: this, retainOnDelete: topology.volumes.some((v) => v.keep) };
    const clusterToken = pulumi.all(brokers.map((b) => b.id)).apply((ids) => ids.join(","));
    // With SCRAM on OUTSIDE, the user exists before anything logs in through OUTSIDE.
    const { scramUser } = topology;
    const password = pulumi.secret(args.config.outsidePassword);
    this.scramUser = scramUser && new ScramUser("scram-user", {
      // The container's name as an output, so the user is created only after that container exists.
      brokerContainer: this.containerNamed(scramUser.brokerContainer).name,
      mechanism: scramUser.mechanism,
      username: scramUser.username,
      password,
      clusterToken,
    }, { ...dataOptions, dependsOn: brokers });
    const sasl: SaslInput = scramUser
      ? pulumi.secret({ mechanism: scramUser.mechanism.toLowerCase(), username: scramUser.username, password: args.config.outsidePassword })
      : undefined;
    const kafkaReady = this.scramUser ? [...brokers, this.scramUser] : brokers;

    this.topics = topology.topics.map((topic) => this.topic(topic, topology.outputs.bootstrapServers, clusterToken, sasl, { ...dataOptions, dependsOn: kafkaReady }));
    this.readiness = new ConsumerGroupReadiness("consumer-group-readiness", {
      bootstrapServers: topology.outputs.bootstrapServers,
      clusterToken,
      sasl,
    }, { parent: this, dependsOn: kafkaReady });

    // Outputs resolve only once the containers are healthy, the topics exist and consumer groups work.
    const ready = pulumi.all([...kafkaReady.map((r) => r.id), ...this.topics.map((t) => t.id), this.readiness.id]);
    const whenReady = <T>(value: T) => ready.apply(() => value);
    this.bootstrapServers = whenReady(topology.outputs.bootstrapServers);
    this.internalBootstrapServers = whenReady(topology.outputs.internalBootstrapServers);
    this.zookeeperConnect = whenReady(topology.outputs.zookeeperConnect);
    this.networkName = this.network.name;
    this.topicNames = whenReady(topology.outputs.topics);
    this.outsideAuth = whenReady(topology.outputs.outsideAuth);
    this.outsideUsername = whenReady(topology.outputs.outsideUsername);

    this.registerOutputs({
      bootstrapServers: this.bootstrapServers,
      internalBootstrapServers: this.internalBootstrapServers,
      zookeeperConnect: this.zookeeperConnect,
      networkName: this.networkName,
      topics: this.topicNames,
      outsideAuth: this.outsideAuth,
      outsideUsername: this.outsideUsername,
    });
  }

  private containerNamed(name: string): docker.Container {
    return this.containers[this.topology.containers.find((c) => c.name === name)!.key]!;
  }

  private container(spec: ContainerSpec, image: docker.RemoteImage, dependsOn: pulumi.Resource[], waitTimeoutSeconds: number): docker.Container {
    return new docker.Container(spec.key, {
      name: spec.name,
      image: image.imageId,
      hostname: spec.hostname,
      envs: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      networksAdvanced: [{ name: this.network.name, aliases: spec.aliases }],
      ports: spec.ports.map((p) => ({ internal: p.internal, external: p.external, ip: p.ip, protocol: "tcp" })),
      volumes: spec.mounts.map((m) => ({ volumeName: m.volume, containerPath: m.containerPath })),
      // The images declare VOLUMEs; remove those anonymous volumes with the container.
      removeVolumes: true,
      healthcheck: {
        tests: spec.healthcheck.test,
        interval: seconds(spec.healthcheck.intervalSeconds),
        timeout: seconds(spec.healthcheck.timeoutSeconds),
        retries: spec.healthcheck.retries,
        startPeriod: seconds(spec.healthcheck.startPeriodSeconds),
      },
      wait: true,
      waitTimeout: waitTimeoutSeconds,
      memory: spec.memoryMb,
      // No swap on top of the limit. Unset, Docker stores twice the memory and every preview shows a diff.
      memorySwap: spec.memoryMb,
      // The grace period both for `pulumi destroy` (destroyGraceSeconds, 0 when unset: a killed broker) and for a
      // `docker stop` by hand or by the engine (stopTimeout, the container's own setting; Docker's default is 10 s).
      destroyGraceSeconds: spec.stopGraceSeconds,
      stopTimeout: spec.stopGraceSeconds,
      restart: spec.restartPolicy,
      labels: toLabels(spec.labels),
      mustRun: true,
    }, { ...this.dockerOptions, dependsOn });
  }

  private topic(topic: TopicSpec, bootstrapServers: string, clusterToken: pulumi.Output<string>, sasl: SaslInput, options: pulumi.CustomResourceOptions): KafkaTopic {
    return new KafkaTopic(`topic-${topic.name}`, {
      bootstrapServers,
      name: topic.name,
      partitions: topic.partitions,
      replicationFactor: topic.replicationFactor,
      configs: topic.configs,
      clusterToken,
      sasl,
    }, options);
  }
}
