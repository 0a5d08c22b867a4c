// The lab's topology: the network, images, volumes and containers of every service the config turns on, the
// setup steps after they are healthy, and the stack outputs. Pure: config in, plain objects out. The Pulumi
// component (kafka-lab.ts) realises exactly these objects.

import { CONFIG_KEYS, type LabConfig } from "./all-keys.js";
import type { KeyDecl, KeySet } from "./keys/keys.js";
import { freshPlan, portCandidates, type LabPlan } from "./lab-plan.js";
import type { TopicSpec } from "./topics.js";
import { SERVICES } from "./services/index.js";
import type { AnyService, Built, LabIdentity, OutputDecls, Service, ServiceContext } from "./services/service.js";
import { LABEL_PREFIX, LAB_LABEL, type ContainerSpec, type SetupStep } from "./specs.js";

export type { LabIdentity } from "./services/service.js";
export { LAB_LABEL, type ContainerSpec } from "./specs.js";

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type ValueOfDecl<D> = D extends { kind: infer Kind } ? (Kind extends "list" ? string[] : string) : never;
type OutputsOfService<S> = S extends Service<KeySet, infer _E, infer O> ? { [N in keyof O]: ValueOfDecl<O[N]> } : never;

/** Where a lab lives, for the lab's own outputs. */
interface Placement {
  config: LabConfig;
  labName: string;
  plan: LabPlan;
}

/** The lab's own stack outputs (the services declare theirs): where it runs and what it keeps. */
const LAB_OUTPUTS = {
  target: {
    description: "where the lab runs: `docker` or `kubernetes` (`target`)",
    value: ({ config }: Placement) => config.target,
  },
  networkName: {
    description:
      'the lab\'s Docker network (docker target; empty on Kubernetes): `docker run --network "$(pulumi stack output networkName)" ...`',
    value: ({ config, labName }: Placement) => (config.target === "docker" ? dockerNetworkName(labName) : ""),
  },
  dockerHost: {
    description:
      "the Docker engine the lab runs on (`dockerHost`); empty: the one the environment names (or target kubernetes). The scripts and smoke tests talk to the environment's",
    value: ({ config }: Placement) => config.dockerHost,
  },
  namespace: {
    description:
      'the lab\'s Kubernetes namespace (kubernetes target; empty on Docker): `kubectl -n "$(pulumi stack output namespace)" get pods`',
    value: ({ config, labName }: Placement) => (config.target === "kubernetes" ? labName : ""),
  },
  kubeconfig: {
    description: "the kubeconfig file the lab's cluster is reached with (kubernetes target; empty on Docker)",
    value: ({ config }: Placement) => config.kubeconfig,
  },
  kubeContext: {
    description: "that kubeconfig's context (kubernetes target; empty on Docker)",
    value: ({ config }: Placement) => config.kubeContext,
  },
  labPlan: {
    description:
      "what the lab settled when it was made and keeps (host ports, internal-topic replication, controllers), as JSON; the next `pulumi up` reads it",
    value: ({ plan }: Placement) => JSON.stringify(plan),
  },
} as const;

/** Every stack output of a lab, by name, with the type of its value: what `pulumi stack output --json` gives. */
export type LabOutputs = { [N in keyof typeof LAB_OUTPUTS]: string } & UnionToIntersection<
  OutputsOfService<(typeof SERVICES)[number]>
>;
export type OutputName = keyof LabOutputs;

/** Every output's kind and description, the lab's own first (the outputs table, the readers' checks). */
export const OUTPUT_DECLS: Record<OutputName, { kind: "string" | "list"; description: string }> = Object.assign(
  Object.fromEntries(
    Object.entries(LAB_OUTPUTS).map(([name, { description }]) => [name, { kind: "string", description }]),
  ),
  ...SERVICES.map((s) =>
    Object.fromEntries(Object.entries(s.outputs).map(([n, d]) => [n, { kind: d.kind, description: d.description }])),
  ),
);

/** The lab's Docker network: `<lab>-network` (not -net: that was the Docker provider's network of older labs). */
export function dockerNetworkName(labName: string): string {
  return `${labName}-network`;
}

/** The lab's own network (a Docker bridge network; on Kubernetes the lab's namespace, named labName, plays its part). */
export interface NetworkSpec {
  name: string;
  labels: Record<string, string>;
}

export interface LabTopology {
  labName: string;
  /** The config it was built from, with the plan's ports for the host-port keys left at 0, its secrets emptied. */
  config: LabConfig;
  /** What the lab settled when it was made, with this config's ports and counts. */
  plan: LabPlan;
  labels: Record<string, string>;
  network: NetworkSpec;
  /** The images its containers run, each once. */
  images: string[];
  /** Every container of every service on, services in build order. */
  containers: ContainerSpec[];
  /** What runs once the containers are healthy, in order. */
  setup: SetupStep[];
  /** The topics the lab declares (config's topics, created by the brokers' setup steps). */
  topics: TopicSpec[];
  /** Every stack output, with its value in this lab and what it is for. */
  outputs: { [N in OutputName]: { value: LabOutputs[N]; description: string } };
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

/** The services in an order where each comes after those it needs. */
export function buildOrder(services: readonly AnyService[]): AnyService[] {
  const ordered: AnyService[] = [];
  const visit = (service: AnyService, path: AnyService[]) => {
    if (ordered.includes(service)) return;
    if (path.includes(service))
      throw new Error(`services need each other in a circle: ${[...path, service].map((s) => s.name).join(" -> ")}`);
    for (const needed of service.needs) visit(needed, [...path, service]);
    ordered.push(service);
  };
  for (const service of services) visit(service, []);
  return ordered;
}

/** The config with its secret keys emptied: a topology is plain data, printed and compared, never a secret's place. */
function withoutSecrets(config: LabConfig): LabConfig {
  const secret = Object.entries(CONFIG_KEYS as Record<string, KeyDecl<unknown>>).filter(([, d]) => d.secret);
  return { ...config, ...Object.fromEntries(secret.map(([key]) => [key, ""])) };
}

/** The config with the plan's ports for the host-port keys it leaves at 0. */
function withPlannedPorts(config: LabConfig, plan: LabPlan): LabConfig {
  return { ...config, ...plan.ports };
}

/**
 * The lab this config makes. `plan`: what the lab settled when it was made (lab-plan.ts); without one, a lab made
 * now on the first ports it would try (the conventional ones for the keys left at 0).
 */
export function buildTopology(
  unplanned: LabConfig,
  identity: LabIdentity,
  plan: LabPlan = planNow(unplanned),
): LabTopology {
  const config = withPlannedPorts(unplanned, plan);
  const labName = labNameOf(identity);
  const labels = {
    [LAB_LABEL]: labName,
    [`${LABEL_PREFIX}.project`]: identity.project,
    [`${LABEL_PREFIX}.stack`]: identity.stack,
  };
  const network: NetworkSpec = { name: dockerNetworkName(labName), labels };
  const built = new Map<AnyService, Built<unknown>>();
  const ctx: ServiceContext = {
    config,
    identity,
    lab: labName,
    labels,
    plan,
    of: <E>(service: Service<KeySet, E, OutputDecls<E, never>>) =>
      built.get(service as AnyService) as Built<E> | undefined,
  };
  const outputs: Record<string, { value: string | string[]; description: string }> = Object.fromEntries(
    Object.entries(LAB_OUTPUTS).map(([name, o]) => [
      name,
      { value: o.value({ config, labName, plan }), description: o.description },
    ]),
  );
  for (const service of buildOrder(SERVICES)) {
    const own = service.enabled(config) ? service.build(ctx) : undefined;
    if (own) built.set(service, own);
    for (const [name, decl] of Object.entries(service.outputs))
      outputs[name] = { value: decl.value(ctx, own), description: decl.description };
  }
  const containers = [...built.values()].flatMap((b) => b.containers);
  return {
    labName,
    config: withoutSecrets(config),
    plan,
    labels,
    network,
    images: [...new Set(containers.map((c) => c.image))],
    containers,
    setup: [...built.values()].flatMap((b) => b.setup),
    topics: config.topics,
    outputs: outputs as LabTopology["outputs"],
    waitTimeoutSeconds: config.waitTimeoutSeconds,
  };
}

/** An output's value as one string (lists joined with commas). */
export function outputText(topology: LabTopology, name: OutputName): string {
  const output = topology.outputs[name];
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

/** The host-port keys whose ports this config publishes (ZooKeeper's only with publishZookeeper, and so on). */
export function publishedPortKeys(config: LabConfig): string[] {
  const anyPorts = freshPlan(config, portCandidates(config, undefined).next().value!);
  const ports = buildTopology(config, { project: "kafka-lab", stack: "ports" }, anyPorts).containers.flatMap(
    (c) => c.ports,
  );
  return [...new Set(ports.map((p) => p.key))];
}

/** The plan of a lab made now, on the first ports it would try for the keys it publishes. */
export function planNow(config: LabConfig): LabPlan {
  return freshPlan(config, portCandidates(config, undefined, publishedPortKeys(config)).next().value!);
}
