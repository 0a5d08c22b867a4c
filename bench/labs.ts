// The labs the benchmark realises: the example stack files' topologies with the images switched to the
// local test images (as tests/e2e/run.ts does), on host ports 30000-30999 and `bench-*` stacks so that
// nothing collides with the e2e labs. The product's own path is `pulumi up` on such a stack; the tuning
// variants change copies of the topology objects, started by plain `docker run` (cli-lab.ts) beside an
// unchanged baseline on the same path (infra/ is never edited): healthcheck interval, start order, heaps.

import type { LabTopology } from "../infra/model/topology.js";
import { localLab, type Settings } from "../lib/local-images.js";
import { portBlock, type PortBlock } from "../lib/ports.js";

export const PROJECT = "kafka-lab";

export const TOPOLOGIES = {
  tutorial: "Pulumi.ci.yaml",
  cluster: "Pulumi.cluster.yaml",
  kraft: "Pulumi.kraft.yaml",
  /** The tutorial lab with Kafka Connect and a schema registry: the same lab as tutorial, plus those two. */
  connect: "Pulumi.connect.yaml",
} as const;
export type TopologyName = keyof typeof TOPOLOGIES;

/** Every published port of the benchmark lies in its range of lib/ports.ts; each slot is a block of 100. */
export const SLOTS = {
  pulumi: 0,
  cli: 1,
  compose: 2,
  throughput: 3,
  scaling: 4,
  tuning: 5,
  kubernetes: 6,
} as const;
export type Slot = keyof typeof SLOTS;

/** The host ports of a slot's labs. */
export function portsOf(slot: Slot): PortBlock {
  return portBlock("bench", SLOTS[slot]);
}

/** What a tuning experiment changes, on top of the stack file's config. */
export interface Variant {
  /** Short name used in tables and stack names. */
  name: string;
  /** Config overrides (the keys of Pulumi.yaml, e.g. kafkaHeap: "128m"). */
  config?: Record<string, string>;
  /** Healthcheck interval of every container in seconds (the topology's is 2). */
  healthIntervalSeconds?: number;
  /** Start every container at once instead of waiting for ZooKeeper's healthcheck before the brokers. */
  parallelStart?: boolean;
  /** Extra broker environment (broker properties in the images' KAFKA_* contract). */
  brokerEnv?: Record<string, string>;
}

export const BASELINE: Variant = { name: "baseline" };

export interface BenchLab {
  topology: LabTopology;
  variant: Variant;
  topologyName: TopologyName;
  /** The settings on top of the stack file (local images, the slot's ports, overrides, the variant's config). */
  settings: Settings;
}

/**
 * The topology of a benchmark lab. `stack` becomes part of every name (kafka-lab-bench-...), so the lab
 * never shares a container, network or label with the e2e labs.
 */
export function benchLab(
  topologyName: TopologyName,
  stack: string,
  slot: Slot,
  variant: Variant = BASELINE,
  overrides: Record<string, string> = {},
): BenchLab {
  if (!stack.startsWith("bench-")) throw new Error(`benchmark stacks are named bench-*, got ${stack}`);
  const ports = portsOf(slot);
  const lab = localLab(
    TOPOLOGIES[topologyName],
    { project: PROJECT, stack },
    { ...ports.settings, ...overrides, ...variant.config },
  );
  const topology = applyVariant(lab.topology, variant);
  for (const spec of topology.containers) {
    for (const port of spec.ports) {
      if (!ports.contains(port.external))
        throw new Error(`${spec.key} would publish ${port.external}, outside ${ports.first}-${ports.last}`);
    }
  }
  return { topology, variant, topologyName, settings: lab.settings };
}

/** The variant's changes on a copy of the topology (the pure topology itself is never modified). */
export function applyVariant(topology: LabTopology, variant: Variant): LabTopology {
  const copy = structuredClone(topology);
  for (const spec of copy.containers) {
    if (variant.healthIntervalSeconds !== undefined) spec.healthcheck.intervalSeconds = variant.healthIntervalSeconds;
    if (variant.parallelStart) spec.dependsOn = [];
    if (variant.brokerEnv && spec.role === "broker") Object.assign(spec.env, variant.brokerEnv);
  }
  return copy;
}

/** Config overrides for a lab of `brokers` brokers with only topic_test:1:1 (every size can hold it). */
export function scalingOverrides(brokers: number): Record<string, string> {
  return { brokers: String(brokers), topics: JSON.stringify(["topic_test:1:1"]) };
}

/** Labels the benchmark's own containers carry: every lab name starts with this. */
export const BENCH_LAB_PREFIX = `${PROJECT}-bench-`;

/**
 * What a variant changes in the lab compared with the baseline (both built from the same stack file), in
 * words; empty when the baseline already does all of it (say, after infra/ adopted a recommendation).
 */
export function variantChanges(
  topologyName: TopologyName,
  variant: Variant,
  overrides: Record<string, string> = {},
): string[] {
  const base = benchLab(topologyName, "bench-diff", "cli", BASELINE, overrides).topology;
  const varied = benchLab(topologyName, "bench-diff", "cli", variant, overrides).topology;
  const changes = new Set<string>();
  for (const after of varied.containers) {
    const before = base.containers.find((c) => c.key === after.key);
    if (!before) continue;
    if (before.dependsOn.length > 0 && after.dependsOn.length === 0)
      changes.add(
        `${after.role}s start without waiting for ${before.dependsOn.length > 1 ? "the ZooKeeper nodes'" : "ZooKeeper's"} healthcheck`,
      );
    if (before.healthcheck.intervalSeconds !== after.healthcheck.intervalSeconds) {
      changes.add(
        `healthcheck interval ${before.healthcheck.intervalSeconds} s → ${after.healthcheck.intervalSeconds} s`,
      );
    }
    for (const key of new Set([...Object.keys(before.env), ...Object.keys(after.env)])) {
      if (before.env[key] !== after.env[key])
        changes.add(`${after.role} ${key} ${before.env[key] ?? "unset"} → ${after.env[key] ?? "unset"}`);
    }
    if (before.memoryMb !== after.memoryMb)
      changes.add(`${after.role} memory limit ${before.memoryMb} → ${after.memoryMb} MiB`);
  }
  return [...changes];
}
