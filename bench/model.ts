// What a benchmark run records (bench/.work/<run>.json; the report and the chart are rendered from it).

import type { MemorySnapshot } from "./memory.js";
import type { IdleCpu } from "./cpu.js";

/** Conditions at the moment of a measurement: the machine is shared with other engineers' e2e runs. */
export interface Conditions {
  /** 1-minute load average. */
  load1: number;
  /** Running containers of other (non-benchmark) kafka-lab labs, e.g. a concurrent e2e run. */
  others: number;
}

/** Pulumi's floor (pulumi-floor.ts): scratch programs, an output only, + the Docker provider, + one network. */
export const FLOOR_PROGRAMS = ["empty", "provider", "network"] as const;
export type FloorProgram = (typeof FLOOR_PROGRAMS)[number];

/** The ready runs' path of each of Pulumi's floor programs. */
export const FLOOR_PATHS: Record<FloorProgram, string> = {
  empty: "pulumi-floor-empty",
  provider: "pulumi-floor-provider",
  network: "pulumi-floor-network",
};

export interface ReadyRun extends Conditions {
  /**
   * pulumi, cli, compose, a Pulumi floor program (FLOOR_PATHS; only ready, teardown and phases), or a tuning
   * variant's name.
   */
  path: string;
  rep: number;
  /** Every container healthy (pulumi and CLI paths). */
  healthy?: number;
  /** Topics created and a consumer group coordinated (pulumi and CLI paths). */
  ready?: number;
  /** The first smoke test (1 message produced and consumed) has passed, counted from nothing. */
  first?: number;
  /** The smoke test's own wall time on the ready lab (node start included). */
  smokeSeconds?: number;
  teardown?: number;
  /** Smoke tests run until one passed (compose path). */
  attempts?: number;
  /** Seconds from the start at which each step finished: "zookeeper-1 healthy", "topics", "coordinator". */
  phases?: Record<string, number>;
  idleCpu?: IdleCpu;
  rss?: MemorySnapshot;
  /** Container restarts by Docker's restart policy before the lab was ready. */
  restarts?: number;
  error?: string;
}

export interface ThroughputRun extends Conditions {
  /** The lab's variant (baseline, or a tuning variant). */
  lab: string;
  /** kafkajs smoke, kcat, or a kafkajs client variant ("kafkajs: 4 sends in flight"). */
  client: string;
  bytes: number;
  rep: number;
  ok: boolean;
  messages: number;
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  producerMessagesPerSecond?: number;
  consumerMessagesPerSecond?: number;
  problem?: string;
}

export interface LabMemory {
  lab: string;
  description: string;
  /** Memory limit of each container in MiB (none for the compose lab). */
  limits: Record<string, number>;
  idle: MemorySnapshot;
  /** Peaks while the throughput runs ran (absent for labs without load). */
  loaded?: MemorySnapshot;
  secondsToReady?: number;
}

export interface ScalingRun extends Conditions {
  /** baseline, or tuned (every recommended change at once). */
  variant: string;
  brokers: number;
  containers: number;
  rep: number;
  healthy?: number;
  ready?: number;
  idle?: MemorySnapshot;
  restarts?: number;
  teardown?: number;
  error?: string;
}

export interface Meta {
  startedAt: string;
  finishedAt?: string;
  seconds?: number;
  command: string;
  topology: string;
  stackFile: string;
  reps: number;
  messages: number;
  sizes: number[];
  brokers: number[];
  sections: string[];
  quick: boolean;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  load: { start: number[]; end?: number[] };
  /** Highest count of other labs' containers seen during the run. */
  othersMax: number;
  versions: Record<string, string>;
  commit: string;
}

export interface Results {
  meta: Meta;
  /** Tuning variants' descriptions, by name. */
  variants: Record<string, string>;
  ready: ReadyRun[];
  skipped: Record<string, string>;
  throughput: ThroughputRun[];
  memory: LabMemory[];
  scaling: ScalingRun[];
  errors: string[];
}
