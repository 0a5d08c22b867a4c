// The lab's topology: the network, images, volumes and containers of every service the config turns on, the
// setup steps after they are healthy, and the stack outputs. Pure: config in, plain objects out. The Pulumi
// component (kafka-lab.ts) realises exactly these objects.

import type { LabConfig } from "./config.js";
import type { TopicSpec } from "./topics.js";
import { bootstrapServersOf, scramMechanism } from "./services/broker.js";
import { SERVICES } from "./services/index.js";
import type { LabIdentity, ServiceContext } from "./services/service.js";
import {
  LABEL_PREFIX,
  LAB_LABEL,
  type ContainerSpec,
  type ImageSpec,
  type KafkaAccess,
  type NetworkSpec,
  type OutputSpec,
  type SetupStep,
  type VolumeSpec,
} from "./specs.js";

export type { LabIdentity } from "./services/service.js";
export { LAB_LABEL, type ContainerSpec, type NetworkSpec, type VolumeSpec } from "./specs.js";

export interface LabTopology {
  labName: string;
  labels: Record<string, string>;
  network: NetworkSpec;
  images: ImageSpec[];
  volumes: VolumeSpec[];
  /** Every container of every service on, in start order of the services. */
  containers: ContainerSpec[];
  /** What runs once the containers are healthy, in order. */
  setup: SetupStep[];
  /** The topics the lab declares (config's topics, created by the brokers' setup steps). */
  topics: TopicSpec[];
  /** How setup steps and host clients reach Kafka. */
  kafka: KafkaAccess;
  /** Every stack output, with its value in this lab. */
  outputs: Record<string, OutputSpec>;
  waitTimeoutSeconds: number;
}

/** Docker-safe lab name from project and stack, so two stacks never share a container or network name. */
export function labNameOf({ project, stack }: LabIdentity): string {
  const safe = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "");
  return `${safe(project)}-${safe(stack)}`;
}

export function buildTopology(config: LabConfig, identity: LabIdentity): LabTopology {
  const labName = labNameOf(identity);
  const labels = {
    [LAB_LABEL]: labName,
    [`${LABEL_PREFIX}.project`]: identity.project,
    [`${LABEL_PREFIX}.stack`]: identity.stack,
  };
  const network: NetworkSpec = { name: `${labName}-net`, labels };
  const kafka: KafkaAccess = {
    bootstrapServers: bootstrapServersOf(config),
    scramMechanism: scramMechanism(config),
    username: config.outsideUsername,
  };
  const built = new Map<string, ContainerSpec[]>();
  const ctx: ServiceContext = {
    config,
    identity,
    lab: labName,
    labels,
    kafka,
    containersOf: (service) => built.get(service) ?? [],
  };
  const setup: SetupStep[] = [];
  const outputs: Record<string, OutputSpec> = {
    networkName: {
      value: network.name,
      description: '`docker run --network "$(pulumi stack output networkName)" ...`',
    },
  };
  for (const service of SERVICES) {
    const on = service.enabled(config);
    const own = on ? service.containers(ctx) : [];
    built.set(service.name, own);
    if (on) setup.push(...(service.setup?.(ctx, own) ?? []));
    Object.assign(outputs, service.outputs(ctx, own));
  }
  const containers = [...built.values()].flat();
  return {
    labName,
    labels,
    network,
    images: [...new Set(containers.map((c) => c.image))].map((name) => ({ name, keepLocally: config.keepImages })),
    volumes: containers.flatMap((c) =>
      c.mounts.map((m) => ({ name: m.volume, labels: c.labels, keep: config.keepVolumes })),
    ),
    containers,
    setup,
    topics: config.topics,
    kafka,
    outputs,
    waitTimeoutSeconds: config.waitTimeoutSeconds,
  };
}

/** An output's value as one string (lists joined with commas). */
export function outputText(topology: LabTopology, name: string): string {
  const output = topology.outputs[name];
  if (!output) throw new Error(`the lab has no output ${name}`);
  return Array.isArray(output.value) ? output.value.join(",") : output.value;
}

/** Containers grouped so that each group depends only on earlier groups: the start order (stop in reverse). */
export function startOrder(containers: ContainerSpec[]): ContainerSpec[][] {
  const levels: ContainerSpec[][] = [];
  const placed = new Set<string>();
  let remaining = [...containers];
  while (remaining.length > 0) {
    const ready = remaining.filter((c) => c.dependsOn.every((d) => placed.has(d)));
    if (ready.length === 0) throw new Error(`dependency cycle among ${remaining.map((c) => c.key).join(", ")}`);
    levels.push(ready);
    ready.forEach((c) => placed.add(c.key));
    remaining = remaining.filter((c) => !placed.has(c.key));
  }
  return levels;
}
