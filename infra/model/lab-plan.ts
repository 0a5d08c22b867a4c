// What a lab settles when it is first made and keeps from one `pulumi up` to the next: its host ports (when the
// stack leaves them at 0), the replication of the brokers' internal topics, the KRaft controller quorum, the ZooKeeper
// ensemble. The plan is a stack output (labPlan); the next `pulumi up` reads it back and refuses a config that would
// change what cannot change without losing the lab's data, naming the key. Pure.

import { CONFIG_KEYS, type ConfigKey, type LabConfig } from "./all-keys.js";
import type { ConfigProblem, HostPorts, KeyDecl } from "./keys/keys.js";
import { controllerCount, internalReplication } from "./services/broker.js";
import type { LabPlan } from "./specs.js";
import { counted } from "./words.js";

export type { LabPlan } from "./specs.js";

/** The host-port keys (all of them, or those named), with where their ports go when the lab chooses them. */
export function hostPortKeys(only?: readonly string[]): Array<[ConfigKey, HostPorts]> {
  return Object.entries(CONFIG_KEYS as Record<string, KeyDecl<unknown>>)
    .filter(([key, decl]) => decl.hostPorts !== undefined && (only === undefined || only.includes(key)))
    .map(([key, decl]) => [key as ConfigKey, decl.hostPorts!]);
}

const BLOCK_SIZE = 100;
/**
 * Blocks the lab may choose from when the conventional ports are taken: below 28000, where the blocks of the tests
 * and the benchmark begin (lib/ports.ts).
 */
export const CHOSEN_BLOCKS = { first: 20_000, last: 27_900 } as const;

/** Where a lab on Kubernetes with NodePorts chooses its ports: blocks inside the cluster's NodePort range. */
export const NODE_PORT_BLOCKS = { first: 31_000, last: 32_600 } as const;

/** Whether the lab's published ports are NodePorts (Kubernetes, kubernetesOutside nodePort). */
export function usesNodePorts(config: Pick<LabConfig, "target" | "kubernetesOutside">): boolean {
  return config.target === "kubernetes" && config.kubernetesOutside === "nodePort";
}

/** Ports for the host-port keys the stack leaves at 0 (`chosen`), with the keys it sets as they are. */
export type PortAssignment = Record<string, number>;

/** The ports a target's lab may not choose: taken by something else there, and whether they bind on this machine. */
export interface PortsInUse {
  /** Held by the lab's own containers or pods: free for it (a first `pulumi up` that failed half-way). */
  own: Set<number>;
  /** Published by anything else of the target (containers, pods' host ports, Services' node ports). */
  elsewhere: Set<number>;
  /** Whether the ports bind on this machine, so that nothing may listen on them here either. */
  local: boolean;
}

/** Every port an assignment may publish: each key's first port and the span after it. */
export function portsOf(assignment: PortAssignment): number[] {
  const spans = new Map(hostPortKeys());
  return Object.entries(assignment).flatMap(([key, first]) =>
    Array.from({ length: spans.get(key as ConfigKey)!.span }, (_, i) => first + i),
  );
}

/** The ports a config sets or the lab kept (`fixed`), and the host-port keys left to choose. */
export function portsToChoose(
  config: LabConfig,
  kept: PortAssignment | undefined,
  published?: readonly string[],
): { fixed: PortAssignment; toChoose: Array<[ConfigKey, HostPorts]> } {
  const keys = hostPortKeys(published);
  const set: PortAssignment = Object.fromEntries(
    keys.filter(([key]) => (config[key] as number) !== 0).map(([key]) => [key, config[key] as number]),
  );
  const setPorts = new Set(portsOf(set));
  const keptFitting = Object.fromEntries(
    keys
      .filter(([key]) => !(key in set) && kept?.[key] !== undefined)
      .map(([key]) => [key, kept![key]!] as const)
      .filter(([key, port]) => portsOf({ [key]: port }).every((p) => !setPorts.has(p))),
  );
  const fixed = { ...set, ...keptFitting };
  return { fixed, toChoose: keys.filter(([key]) => !(key in fixed)) };
}

/**
 * The assignments to try, best first, for the host-port keys (those the lab publishes, or all): a key the stack sets
 * keeps its port, a key left at 0 the port the lab kept for it; the others get the conventional ports, else one block
 * of 100 after another (NodePorts: only blocks within the NodePort range). A candidate never overlaps a port set or
 * kept (a kept port that a set one now overlaps is chosen again).
 */
export function* portCandidates(
  config: LabConfig,
  kept: PortAssignment | undefined,
  published?: readonly string[],
): Generator<PortAssignment> {
  const { fixed, toChoose } = portsToChoose(config, kept, published);
  if (toChoose.length === 0) {
    yield fixed;
    return;
  }
  const taken = new Set(portsOf(fixed));
  const fits = (chosen: PortAssignment) => portsOf(chosen).every((p) => !taken.has(p) && p <= 65535);
  const conventional = Object.fromEntries(toChoose.map(([key, hp]) => [key, hp.conventional]));
  const nodePorts = usesNodePorts(config);
  if (!nodePorts && fits(conventional)) yield { ...fixed, ...conventional };
  const blocks = nodePorts ? NODE_PORT_BLOCKS : CHOSEN_BLOCKS;
  for (let base = blocks.first; base <= blocks.last; base += BLOCK_SIZE) {
    const block = Object.fromEntries(toChoose.map(([key, hp]) => [key, base + hp.blockOffset]));
    if (fits(block)) yield { ...fixed, ...block };
  }
}

/** The plan of a lab made from this config now, with the given ports. */
export function freshPlan(config: LabConfig, ports: PortAssignment): LabPlan {
  const zookeeper = config.mode === "zookeeper";
  return {
    mode: config.mode,
    brokers: config.brokers,
    zookeeperNodes: zookeeper ? config.zookeeperNodes : 0,
    controllers: zookeeper ? 0 : controllerCount(config.brokers),
    internalReplicationFactor: internalReplication(config.brokers).replicationFactor,
    ports,
  };
}

/** The plan for this config, given the lab's last plan: what it keeps, and what the config may not change. */
export function nextPlan(
  config: LabConfig,
  previous: LabPlan | undefined,
  ports: PortAssignment,
): { plan: LabPlan; problems: ConfigProblem[] } {
  const fresh = freshPlan(config, ports);
  if (!previous) return { plan: fresh, problems: [] };
  const plan: LabPlan = { ...fresh, internalReplicationFactor: previous.internalReplicationFactor };
  const problems: ConfigProblem[] = [];
  const destroyFirst = "or destroy the lab first (pulumi destroy), which deletes its data";
  if (previous.mode !== config.mode) {
    problems.push({
      key: "mode",
      value: config.mode,
      allowed: `this lab was made in ${previous.mode} mode and its data cannot move to ${config.mode} mode: keep ${previous.mode}, ${destroyFirst}`,
    });
    return { plan, problems };
  }
  if (fresh.zookeeperNodes !== previous.zookeeperNodes) {
    problems.push({
      key: "zookeeperNodes",
      value: String(config.zookeeperNodes),
      allowed: `this lab's ZooKeeper ensemble has ${counted(previous.zookeeperNodes, "node")} since it was made; a new ensemble would start without its data: keep ${previous.zookeeperNodes}, ${destroyFirst}`,
    });
  }
  if (fresh.controllers !== previous.controllers) {
    const keeps = previous.controllers === 1 ? "1 or 2" : `${previous.controllers} to 9`;
    problems.push({
      key: "brokers",
      value: String(config.brokers),
      allowed: `this lab's KRaft controller quorum is ${firstBrokers(previous.controllers)} since it was made, and ${counted(config.brokers, "broker")} would need ${counted(fresh.controllers, "controller")}, a quorum change kafka-lab does not make: keep ${keeps} brokers, ${destroyFirst}`,
    });
  }
  if (config.brokers < previous.internalReplicationFactor) {
    problems.push({
      key: "brokers",
      value: String(config.brokers),
      allowed: `the internal topics (consumer offsets, transaction state) of this lab keep ${previous.internalReplicationFactor} replicas since it was made: keep at least ${previous.internalReplicationFactor} brokers, ${destroyFirst}`,
    });
  }
  return { plan, problems };
}

/** The lab plan as a stack output stores it, or undefined when the text is not one (a lab made before plans). */
export function parseLabPlan(text: unknown): LabPlan | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const plan = JSON.parse(text) as Partial<LabPlan>;
    const numbers = ["brokers", "zookeeperNodes", "controllers", "internalReplicationFactor"] as const;
    if (!numbers.every((n) => typeof plan[n] === "number") || typeof plan.ports !== "object" || !plan.mode)
      return undefined;
    return plan as LabPlan;
  } catch {
    return undefined;
  }
}

/** "broker 1" or "brokers 1-n", for messages. */
export function firstBrokers(n: number): string {
  return n === 1 ? "broker 1" : `brokers 1-${n}`;
}
