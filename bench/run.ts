// npm run bench: how fast and how lean kafka-lab is, measured on the local Docker engine with the local test
// images. A benchmark, never a test: it reports figures (medians and ranges over --reps repetitions, ratios
// measured in the same run) and fails only when it cannot measure or leaves something behind.
//
//   1. ready: time to healthy, ready and first consumed message from nothing, along three paths: `pulumi up`
//      (the product, through lib/pulumi-stack.ts), the same containers by plain `docker run` (the floor), and
//      the tutorial's compose file with the smoke test retried until it passes; beside them Pulumi's own floor
//      (pulumi-floor.ts: `pulumi up` and `pulumi destroy` of three scratch programs: an output only, the Docker
//      provider, the provider and one network); with the tuning section, variants of the floor (its topology
//      objects changed, never infra/).
//   2. throughput: the kafkajs smoke test against kcat, on one lab and topic; memory idle and under load.
//   3. scaling: 1, 3, 5 brokers: provisioning time, memory, teardown time.
//   Sections 2 and 3 start their labs like the floor (the same containers `pulumi up` makes) so that the tuned
//   variants are compared on one path.
//   4. tuning: heap/log-cleaner variants of the throughput lab, kafkajs producer variants, idle CPU.
//
// Labs are named kafka-lab-bench-*, publish only 127.0.0.1:30000-30999, and are torn down after each
// measurement, on failure and on Ctrl-C; the run ends with a leftover check. See --help.

import { mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { argv, updateArgv, which } from "zx";
import { api, containerIdsOf, imageExists, inspectContainer, removeLabelled } from "../lib/docker.js";
import { LabStack, requireToolchain } from "../lib/pulumi-stack.js";
import { pulumiSteps } from "./pulumi-steps.js";
import { LAB_LABEL } from "../infra/model/specs.js";
import {
  BASELINE,
  BENCH_LAB_PREFIX,
  benchLab,
  scalingOverrides,
  TOPOLOGIES,
  variantChanges,
  type Variant,
} from "./labs.js";
import { HELP, parseBenchOptions, type BenchOptions } from "./options.js";
import { kcatRoundTrip, run, smoke } from "./clients.js";
import { realiseWithCli, teardownWithCli, type CliLab } from "./cli-lab.js";
import { COMPOSE_LAB, composeDown, composeUpUntilSmoke } from "./compose.js";
import { rssNow, sampleRss, type MemorySnapshot } from "./memory.js";
import { idleCpu } from "./cpu.js";
import { CLIENT_VARIANTS, kafkajsRoundTrip } from "./kafkajs-variants.js";
import { ensureCompose, pythonWithMatplotlib, version } from "./tools.js";
import { FLOOR_LAB, removeFloorWork, runFloorProgram, stopFloor } from "./pulumi-floor.js";
import { removeLabNamespace, startCluster, stopClusterIfStarted, type TestCluster } from "../lib/kube-cluster.js";
import { renderReport } from "./report.js";
import { FLOOR_PATHS, FLOOR_PROGRAMS } from "./model.js";
import type { Conditions, FloorProgram, LabMemory, ReadyRun, Results } from "./model.js";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const resultsDir = join(benchDir, "results");
const workDir = join(benchDir, ".work");
/** Pulumi's floor: its scratch projects and their file backend (removed at the end, also on failure and Ctrl-C). */
const floorDir = join(workDir, "pulumi-floor");

updateArgv(process.argv.slice(2), {
  string: ["topology", "reps", "messages", "sizes", "brokers", "only"],
  boolean: ["quick", "chart", "kubernetes", "help"],
  default: { chart: true },
});
let opts: BenchOptions;
try {
  opts = parseBenchOptions(argv);
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exit(2);
}
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}

const startedAt = performance.now();
const log = (line: string) =>
  console.log(`[${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${line}`);
const quiet = () => undefined;

/** The tuning experiments on the provisioning path, cumulative: each adds one change to the one before. */
const READY_VARIANTS: Variant[] = [
  { name: "parallel start", parallelStart: true },
  {
    name: "parallel + offsets 1 partition",
    parallelStart: true,
    brokerEnv: { KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: "1" },
  },
  {
    name: "parallel + offsets 1 + health 0.5 s",
    parallelStart: true,
    brokerEnv: { KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: "1" },
    healthIntervalSeconds: 0.5,
  },
];
const CLEANER_16M = { KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE: String(16 * 1024 * 1024) };
/**
 * The tuning experiments on memory: the log cleaner's dedupe buffer (Kafka allocates 128 MiB of the heap
 * for it at start), then smaller heaps. Variants that match the current baseline are skipped, so the
 * "before" stays measurable after infra/ adopted a change.
 */
const MEMORY_VARIANTS: Variant[] = [
  {
    name: "cleaner buffer 128 MiB (Kafka's default)",
    brokerEnv: { KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE: String(128 * 1024 * 1024) },
  },
  { name: "cleaner buffer 16 MiB", brokerEnv: CLEANER_16M },
  {
    name: "heap 128m/64m + cleaner 16 MiB",
    config: { kafkaHeap: "128m", zookeeperHeap: "64m" },
    brokerEnv: CLEANER_16M,
  },
];
/** Everything the figures recommend, together: provisioning, memory and teardown in one variant (scaling section). */
const TUNED: Variant = {
  name: "tuned",
  parallelStart: true,
  brokerEnv: { KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: "1", ...CLEANER_16M, KAFKA_CONTROLLED_SHUTDOWN_ENABLE: "false" },
};

/** Variants that change something in this topology, with what they change recorded for the report. */
function effective(variants: Variant[], overrides: Record<string, string> = {}): Variant[] {
  return variants.filter((v) => {
    const changes = variantChanges(opts.topology, v, overrides);
    if (changes.length === 0) {
      results.skipped[`variant ${v.name}`] = "the current baseline already does this (infra/ adopted it)";
      return false;
    }
    results.variants[v.name] = changes.join("; ");
    return true;
  });
}

const results: Results = {
  meta: {
    startedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    topology: opts.topology,
    stackFile: TOPOLOGIES[opts.topology],
    reps: opts.reps,
    messages: opts.messages,
    sizes: opts.sizes,
    brokers: opts.brokers,
    sections: [...opts.sections],
    quick: opts.quick,
    cpuModel: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    load: { start: loadavg().map((l) => Math.round(l * 100) / 100) },
    othersMax: 0,
    versions: {},
    commit: "",
  },
  variants: {},
  ready: [],
  skipped: {},
  throughput: [],
  memory: [],
  scaling: [],
  errors: [],
};

// ---------------------------------------------------------------- cleanup: every lab, also on Ctrl-C

const labNames = new Set<string>();
let composeUsed = false;
async function removeEverything(interrupted = false): Promise<void> {
  // A floor program's pulumi command ends first, so that nothing it is still creating outlives the removal.
  await stopFloor({ interrupted }).catch(() => undefined);
  if (composeUsed) await composeDown().catch(() => undefined);
  for (const name of labNames) await removeLabelled(name, quiet).catch(() => undefined);
  removeFloorWork(floorDir);
  await stopClusterIfStarted(log);
}
// process.on, not once: a second signal must not kill the process halfway through the removal (with no listener
// left, tsx's preflight exits at once). One Ctrl-C arrives here twice, from the terminal and relayed by tsx's
// parent process, and people press it twice; the repeats are ignored while the labs are being removed.
let removing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (removing) return log(`${signal}: still removing the benchmark's labs`);
    removing = true;
    log(`${signal}: removing the benchmark's labs before exiting`);
    void removeEverything(signal === "SIGINT").finally(() => process.exit(130));
  });
}

/**
 * Containers, networks and volumes whose lab label starts with kafka-lab-bench-, and volumes so named without the
 * label (a `--mount` of a volume that does not exist creates it bare).
 */
async function benchLeftovers(): Promise<Array<{ what: string; lab: string }>> {
  const filter = encodeURIComponent(JSON.stringify({ label: [LAB_LABEL] }));
  const labOf = (labels: Record<string, string> | null) => labels?.[LAB_LABEL] ?? "";
  const containers = await api<Array<{ Names: string[]; Labels: Record<string, string> }>>(
    "GET",
    `/containers/json?all=1&filters=${filter}`,
  );
  const networks = await api<Array<{ Name: string; Labels: Record<string, string> }>>(
    "GET",
    `/networks?filters=${filter}`,
  );
  const volumes = await api<{ Volumes: Array<{ Name: string; Labels: Record<string, string> | null }> | null }>(
    "GET",
    "/volumes",
  );
  return [
    ...containers.map((c) => ({ what: `container ${c.Names[0]?.replace(/^\//, "")}`, lab: labOf(c.Labels) })),
    ...networks.map((n) => ({ what: `network ${n.Name}`, lab: labOf(n.Labels) })),
    ...(volumes.Volumes ?? []).map((v) => ({ what: `volume ${v.Name}`, lab: labOf(v.Labels) || v.Name })),
  ].filter((x) => x.lab.startsWith(BENCH_LAB_PREFIX));
}

async function conditions(): Promise<Conditions> {
  const filter = encodeURIComponent(JSON.stringify({ label: [LAB_LABEL] }));
  const running = await api<Array<{ Labels: Record<string, string> }>>("GET", `/containers/json?filters=${filter}`);
  const others = running.filter((c) => !(c.Labels[LAB_LABEL] ?? "").startsWith(BENCH_LAB_PREFIX)).length;
  results.meta.othersMax = Math.max(results.meta.othersMax, others);
  return { load1: Math.round(loadavg()[0]! * 100) / 100, others };
}

/** How often Docker restarted the lab's containers (restart policy): a start order that crashes shows here. */
async function restarts(containerIds: Map<string, string>): Promise<number> {
  const counts = await Promise.all(
    [...containerIds.values()].map(async (id) => (await inspectContainer(id)).RestartCount),
  );
  return counts.reduce((a, b) => a + b, 0);
}

const round = (x: number | undefined, d = 2) => (x === undefined ? undefined : Math.round(x * 10 ** d) / 10 ** d);

// ---------------------------------------------------------------- section 1: ready

/** Seconds since t0, rounded. */
const since = (t0: number) => round((performance.now() - t0) / 1000)!;

/** The docker-run floor (optionally a tuning variant of it): cli-lab.ts, then a first smoke test; teardown. */
async function floorRun(variant: Variant, rep: number, measureCpu: boolean): Promise<ReadyRun> {
  const stack = variant === BASELINE ? "bench-cli" : "bench-tuning";
  const { topology } = benchLab(opts.topology, stack, variant === BASELINE ? "cli" : "tuning", variant);
  // Teardown in the stack's own order (brokers before ZooKeeper), also for the parallel-start variants.
  const { topology: ordered } = benchLab(opts.topology, stack, variant === BASELINE ? "cli" : "tuning", BASELINE);
  labNames.add(topology.labName);
  await removeLabelled(topology.labName, quiet);
  const record: ReadyRun = {
    path: variant === BASELINE ? "cli" : variant.name,
    rep,
    ...(await conditions()),
    phases: {},
  };
  const lab: CliLab = { topology, started: [], networkCreated: false, secondsToHealthy: 0, secondsToReady: 0 };
  const t0 = performance.now();
  try {
    await realiseWithCli(topology, lab, (step) => (record.phases![step] = since(t0)));
    await recordFirstMessage(record, lab, topology.outputs.bootstrapServers.value, t0);
    const ids = await containerIdsOf(topology);
    if (measureCpu) record.idleCpu = await idleCpu([...ids.values()], 10);
    record.rss = await rssNow(ids);
    record.restarts = await restarts(ids);
  } catch (error) {
    record.error = (error as Error).message.split("\n")[0];
  } finally {
    record.teardown = round(await teardownWithCli({ ...lab, topology: ordered }).catch(() => NaN));
    await removeLabelled(topology.labName, quiet);
  }
  return record;
}

/** Copies a lab's healthy and ready times into the record, then times the first consumed message from t0. */
async function recordFirstMessage(
  record: ReadyRun,
  lab: { secondsToHealthy?: number; secondsToReady?: number },
  bootstrap: string,
  t0: number,
): Promise<void> {
  record.healthy = round(lab.secondsToHealthy);
  record.ready = round(lab.secondsToReady);
  const first = await smoke(bootstrap, { count: 1 });
  if (!first.ok) throw new Error(`first smoke test failed: ${first.problem}`);
  record.first = round((performance.now() - t0) / 1000);
  record.smokeSeconds = round(first.seconds);
}

/** How one product run differs by target: its lab, where Pulumi's progress goes, what it measures once ready. */
interface ProductPath {
  stack: string;
  lab: ReturnType<typeof benchLab>;
  output: (chunk: string) => void;
  /** Once `pulumi up` returned: the healthy time and what else the path measures. */
  measure(record: ReadyRun, ready: number): Promise<{ secondsToHealthy?: number }>;
  /** Removes whatever the target still holds of the lab (also after a failure). */
  cleanup(): Promise<void>;
}

/**
 * The product: `pulumi up` on a bench stack (lib/pulumi-stack.ts, as `npm run lab:up`), a first smoke test,
 * `pulumi destroy`.
 */
async function productRun(p: ProductPath, record: ReadyRun, t0: number): Promise<ReadyRun> {
  const { stack, lab: bench } = p;
  const lab = new LabStack({
    stack,
    trackedFile: TOPOLOGIES[opts.topology],
    overrides: bench.settings,
    output: p.output,
  });
  let opened = false;
  try {
    await lab.open();
    opened = true;
    record.phases!["stack opened"] = since(t0);
    await lab.up();
    const ready = since(t0);
    const { secondsToHealthy } = await p.measure(record, ready);
    const times = { ...(secondsToHealthy === undefined ? {} : { secondsToHealthy }), secondsToReady: ready };
    await recordFirstMessage(record, times, bench.topology.outputs.bootstrapServers.value, t0);
  } catch (error) {
    const lines = (error as Error).message.split("\n");
    record.error = lines.find((l) => l.trim().startsWith("error:")) ?? lines[0];
  } finally {
    const t1 = performance.now();
    if (opened) {
      record.teardown = await lab.destroy().then(
        () => since(t1),
        () => NaN,
      );
      await lab.remove().catch(() => undefined);
    }
    await p.cleanup();
  }
  return record;
}

/** On Docker; the steps' times come from Pulumi's own progress lines, as they arrive. */
async function pulumiRun(rep: number): Promise<ReadyRun> {
  const stack = "bench-pulumi";
  const lab = benchLab(opts.topology, stack, "pulumi");
  const { topology } = lab;
  labNames.add(topology.labName);
  await removeLabelled(topology.labName, quiet);
  const record: ReadyRun = { path: "pulumi", rep, ...(await conditions()), phases: {} };
  const t0 = performance.now();
  const containers = new Set(topology.containers.map((c) => c.key));
  return productRun(
    {
      stack,
      lab,
      output: pulumiSteps((step) => (record.phases![step] = since(t0)), containers),
      async measure(r) {
        const healthy = topology.containers
          .map((c) => r.phases![`${c.key} healthy`])
          .filter((x): x is number => x !== undefined);
        const ids = await containerIdsOf(topology);
        r.rss = await rssNow(ids);
        r.restarts = await restarts(ids);
        return { secondsToHealthy: Math.max(...healthy) };
      },
      cleanup: () => removeLabelled(topology.labName, quiet),
    },
    record,
    t0,
  );
}

/** The shared Kubernetes cluster, when --kubernetes started it (stopped at the end). */
let cluster: TestCluster | undefined;

/**
 * On Kubernetes: the same lab with target kubernetes on the shared cluster (hostPorts in the bench's range, no
 * persistence: the cluster has no StorageClass). Ready is when `pulumi up` returned (every pod ready, every setup
 * step done); the pods' own readiness is not timed apart.
 */
async function kubernetesRun(rep: number): Promise<ReadyRun> {
  const stack = "bench-k8s";
  const on = { target: "kubernetes", kubeconfig: cluster!.kubeconfig, kubeContext: cluster!.context };
  const lab = benchLab(opts.topology, stack, "kubernetes", BASELINE, { ...on, persistence: "false" });
  const record: ReadyRun = { path: "pulumi-kubernetes", rep, ...(await conditions()), phases: {} };
  const cleanup = () => removeLabNamespace(cluster!.api, lab.topology.labName, quiet);
  await cleanup();
  const measure = async () => ({});
  return productRun({ stack, lab, output: quiet, measure, cleanup }, record, performance.now());
}

/**
 * Pulumi's floor: one scratch program (pulumi-floor.ts) from nothing to its outputs read, then destroyed, by the
 * same Automation API calls as pulumiRun; its stack is removed and anything left of it in Docker too.
 */
async function pulumiFloorRun(program: FloorProgram, rep: number): Promise<ReadyRun> {
  labNames.add(FLOOR_LAB);
  await removeLabelled(FLOOR_LAB, quiet);
  const record: ReadyRun = { path: FLOOR_PATHS[program], rep, ...(await conditions()) };
  try {
    const times = await runFloorProgram(floorDir, program);
    record.phases = times.phases;
    record.ready = times.ready;
    record.teardown = times.teardown;
    if (times.error) record.error = times.error;
  } finally {
    await removeLabelled(FLOOR_LAB, quiet);
  }
  return record;
}

async function composeRun(rep: number): Promise<ReadyRun> {
  composeUsed = true;
  labNames.add(COMPOSE_LAB);
  await composeDown().catch(() => undefined);
  await removeLabelled(COMPOSE_LAB, quiet);
  const record: ReadyRun = { path: "compose", rep, ...(await conditions()) };
  try {
    const up = await composeUpUntilSmoke();
    record.first = round(up.secondsToFirstMessage);
    record.attempts = up.attempts;
    record.phases = { "docker-compose up returned": round(up.secondsToUp)! };
    record.rss = { perContainer: up.rssMb, total: Object.values(up.rssMb).reduce((a, b) => a + b, 0) };
  } catch (error) {
    record.error = (error as Error).message.split("\n")[0];
  } finally {
    record.teardown = round(await composeDown().catch(() => NaN));
    await removeLabelled(COMPOSE_LAB, quiet);
  }
  return record;
}

async function pulumiSkipReason(): Promise<string | undefined> {
  return requireToolchain().then(
    () => undefined,
    (error: Error) => error.message,
  );
}

function describeReady(r: ReadyRun): string {
  if (r.error) return `${r.path} #${r.rep}: FAILED ${r.error}`;
  const parts = [
    r.healthy !== undefined ? `healthy ${r.healthy}s` : "",
    r.ready !== undefined ? `ready ${r.ready}s` : "",
    r.first !== undefined ? `first message ${r.first}s` : "",
    r.attempts !== undefined ? `${r.attempts} smoke attempts` : "",
    r.restarts ? `${r.restarts} container restart(s)` : "",
    `teardown ${r.teardown}s`,
    r.idleCpu ? `idle CPU ${r.idleCpu.containers.toFixed(1)}% + daemons ${r.idleCpu.daemons.toFixed(1)}%` : "",
    `load ${r.load1}${r.others ? `, ${r.others} other lab containers` : ""}`,
  ].filter(Boolean);
  return `${r.path} #${r.rep}: ${parts.join(", ")}`;
}

async function readySection(): Promise<void> {
  log(`== 1. time to ready and to first consumed message (${opts.topology}, ${opts.reps} repetition(s), interleaved)`);
  const composeSkip =
    opts.topology !== "tutorial"
      ? "the tutorial's compose file is the single-broker tutorial lab; run with --topology tutorial"
      : await ensureCompose(log);
  if (composeSkip) {
    results.skipped.compose = composeSkip;
    log(`SKIPPED: docker-compose path: ${composeSkip}`);
  }
  const pulumiSkip = await pulumiSkipReason();
  if (pulumiSkip) {
    results.skipped.pulumi = `${pulumiSkip}; pulumi up was not measured`;
    results.skipped[FLOOR_PATHS.network] = `${pulumiSkip}; Pulumi's floor was not measured`;
    log(`SKIPPED: pulumi up and Pulumi's floor: ${results.skipped.pulumi}`);
  } else {
    removeFloorWork(floorDir);
  }
  if (opts.kubernetes && !pulumiSkip) {
    const images = benchLab(opts.topology, "bench-k8s", "kubernetes").topology.images;
    cluster = await startCluster(images, log);
  }
  const variants = opts.sections.has("tuning") ? effective(opts.quick ? [READY_VARIANTS[1]!] : READY_VARIANTS) : [];
  const cpuVariant = variants[variants.length - 1];
  for (let rep = 1; rep <= opts.reps; rep++) {
    const measureCpu = rep === 1 && !opts.quick && opts.sections.has("tuning");
    const runs: Array<() => Promise<ReadyRun>> = [
      ...(pulumiSkip ? [] : [() => pulumiRun(rep), ...FLOOR_PROGRAMS.map((p) => () => pulumiFloorRun(p, rep))]),
      ...(cluster ? [() => kubernetesRun(rep)] : []),
      () => floorRun(BASELINE, rep, measureCpu),
      ...(composeSkip ? [] : [() => composeRun(rep)]),
      ...variants.map(
        (v) => () => floorRun(v, rep, measureCpu && v === cpuVariant && v.healthIntervalSeconds !== undefined),
      ),
    ];
    for (const measure of runs) {
      const record = await measure();
      results.ready.push(record);
      log(describeReady(record));
      if (record.error) results.errors.push(`ready: ${record.path} #${rep}: ${record.error}`);
    }
  }
}

// ---------------------------------------------------------------- section 2: throughput and memory

/** One repetition at one message size on a throughput lab: the kafkajs smoke test, then kcat; recorded and logged. */
async function measureSmokeAndKcat(variant: Variant, bootstrap: string, bytes: number, rep: number): Promise<void> {
  const c = await conditions();
  const s = await smoke(bootstrap, { count: opts.messages, messageBytes: bytes, timeoutMs: 300_000 });
  results.throughput.push({
    lab: variant.name,
    client: "kafkajs smoke",
    bytes,
    rep,
    ...c,
    ok: s.ok,
    messages: opts.messages,
    messagesPerSecond: s.messagesPerSecond ?? NaN,
    p50Ms: s.p50Ms ?? NaN,
    p99Ms: s.p99Ms ?? NaN,
    ...(s.problem ? { problem: s.problem } : {}),
  });
  const k = await kcatRoundTrip(bootstrap, { count: opts.messages, messageBytes: bytes });
  results.throughput.push({
    lab: variant.name,
    client: "kcat",
    bytes,
    rep,
    ...c,
    ok: k.ok,
    messages: opts.messages,
    messagesPerSecond: k.messagesPerSecond,
    p50Ms: k.p50Ms,
    p99Ms: k.p99Ms,
    producerMessagesPerSecond: k.producerMessagesPerSecond,
    consumerMessagesPerSecond: k.consumerMessagesPerSecond,
    ...(k.problem ? { problem: k.problem } : {}),
  });
  log(
    `${variant.name}, ${bytes} B #${rep}: kafkajs ${s.ok ? `${Math.round(s.messagesPerSecond!)} msg/s p50 ${s.p50Ms} ms p99 ${s.p99Ms} ms` : `FAILED ${s.problem}`}; ` +
      `kcat ${k.ok ? `${Math.round(k.messagesPerSecond)} msg/s p50 ${k.p50Ms} ms p99 ${k.p99Ms} ms (-P ${Math.round(k.producerMessagesPerSecond)}, -C -e ${Math.round(k.consumerMessagesPerSecond)} msg/s)` : `FAILED ${k.problem}`}; load ${c.load1}`,
  );
  if (!s.ok) results.errors.push(`throughput: ${variant.name} kafkajs ${bytes} B #${rep}: ${s.problem}`);
  if (!k.ok) results.errors.push(`throughput: ${variant.name} kcat ${bytes} B #${rep}: ${k.problem}`);
}

/** One repetition at one message size of every kafkajs producer variant (kafkajs-variants.ts); recorded and logged. */
async function measureClientVariants(variant: Variant, bootstrap: string, bytes: number, rep: number): Promise<void> {
  for (const cv of CLIENT_VARIANTS) {
    const cc = await conditions();
    const r = await kafkajsRoundTrip(bootstrap, { count: opts.messages, messageBytes: bytes, variant: cv });
    results.throughput.push({
      lab: variant.name,
      client: `kafkajs: ${cv.name}`,
      bytes,
      rep,
      ...cc,
      ok: r.ok,
      messages: opts.messages,
      messagesPerSecond: r.messagesPerSecond,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      ...(r.problem ? { problem: r.problem } : {}),
    });
    log(
      `  kafkajs ${cv.name}: ${r.ok ? `${Math.round(r.messagesPerSecond)} msg/s p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms` : `FAILED ${r.problem}`}`,
    );
  }
}

/** Records and logs a throughput lab's memory: its limits, idle RSS and the peaks sampled under load. */
function recordLabMemory(
  variant: Variant,
  limits: Record<string, number>,
  idle: MemorySnapshot,
  loaded: MemorySnapshot,
  secondsToReady: number,
): void {
  const memory: LabMemory = {
    lab: variant.name,
    description:
      variant === BASELINE
        ? `${TOPOLOGIES[opts.topology]} as configured`
        : (results.variants[variant.name] ?? variant.name),
    limits,
    idle,
    loaded,
    secondsToReady: round(secondsToReady)!,
  };
  results.memory.push(memory);
  log(
    `${variant.name} lab RSS: idle ${idle.total} MiB (${fmtSnapshot(idle.perContainer)}), peak under load ${loaded.total} MiB (${fmtSnapshot(loaded.perContainer)})`,
  );
}

async function throughputLab(variant: Variant, sizes: number[], clientVariants: boolean): Promise<void> {
  const { topology } = benchLab(
    opts.topology,
    variant === BASELINE ? "bench-throughput" : "bench-lean",
    "throughput",
    variant,
  );
  labNames.add(topology.labName);
  await removeLabelled(topology.labName, quiet);
  const bootstrap = topology.outputs.bootstrapServers.value;
  const lab: CliLab = { topology, started: [], networkCreated: false, secondsToHealthy: 0, secondsToReady: 0 };
  const limits = Object.fromEntries(topology.containers.map((c) => [c.key, c.memoryMb]));
  try {
    await realiseWithCli(topology, lab);
    log(`${variant.name} lab ready after ${lab.secondsToReady.toFixed(1)}s; idle for 3 s`);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const ids = await containerIdsOf(topology);
    const idle = await rssNow(ids);
    const sampler = sampleRss(ids);
    try {
      for (const bytes of sizes) {
        for (let rep = 1; rep <= opts.reps; rep++) {
          await measureSmokeAndKcat(variant, bootstrap, bytes, rep);
          if (clientVariants) await measureClientVariants(variant, bootstrap, bytes, rep);
        }
      }
    } finally {
      const loaded = await sampler.stop();
      recordLabMemory(variant, limits, idle, loaded, lab.secondsToReady);
    }
  } catch (error) {
    const message = (error as Error).message.split("\n")[0]!;
    results.errors.push(`throughput: ${variant.name} lab: ${message}`);
    log(`${variant.name} lab FAILED: ${message}`);
  } finally {
    await teardownWithCli(lab).catch(() => undefined);
    await removeLabelled(topology.labName, quiet);
  }
}

const fmtSnapshot = (perContainer: Record<string, number>) =>
  Object.entries(perContainer)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");

async function throughputSection(): Promise<void> {
  log(
    `== 2./3. throughput, latency and memory: ${opts.messages} messages of ${opts.sizes.join(" and ")} bytes, kafkajs smoke vs kcat`,
  );
  await throughputLab(BASELINE, opts.sizes, opts.sections.has("tuning") && !opts.quick);
  if (!opts.sections.has("tuning")) return;
  const largest = [Math.max(...opts.sizes)];
  const variants = effective(MEMORY_VARIANTS);
  for (const variant of opts.quick ? variants.slice(0, 1) : variants) await throughputLab(variant, largest, false);
}

// ---------------------------------------------------------------- section 4/5: scaling and teardown

async function scalingRun(variant: Variant, brokers: number, rep: number): Promise<void> {
  const stack = `bench-scale-${brokers}${variant === BASELINE ? "" : `-${variant.name}`}`;
  const { topology } = benchLab(opts.topology, stack, "scaling", variant, scalingOverrides(brokers));
  const { topology: ordered } = benchLab(opts.topology, stack, "scaling", BASELINE, scalingOverrides(brokers));
  labNames.add(topology.labName);
  await removeLabelled(topology.labName, quiet);
  const c = await conditions();
  const lab: CliLab = { topology, started: [], networkCreated: false, secondsToHealthy: 0, secondsToReady: 0 };
  const record: (typeof results.scaling)[number] = {
    variant: variant.name,
    brokers,
    containers: topology.containers.length,
    rep,
    ...c,
  };
  try {
    await realiseWithCli(topology, lab);
    record.healthy = round(lab.secondsToHealthy);
    record.ready = round(lab.secondsToReady);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const ids = await containerIdsOf(topology);
    record.idle = await rssNow(ids);
    record.restarts = await restarts(ids);
  } catch (error) {
    record.error = (error as Error).message.split("\n")[0];
    results.errors.push(`scaling: ${variant.name}, ${brokers} brokers #${rep}: ${record.error}`);
  } finally {
    record.teardown = round(await teardownWithCli({ ...lab, topology: ordered }).catch(() => NaN));
    await removeLabelled(topology.labName, quiet);
  }
  results.scaling.push(record);
  log(
    record.error
      ? `${variant.name}, ${brokers} broker(s) #${rep}: FAILED ${record.error}`
      : `${variant.name}, ${brokers} broker(s), ${record.containers} containers #${rep}: healthy ${record.healthy}s, ready ${record.ready}s, ` +
          `RSS ${record.idle!.total} MiB, teardown ${record.teardown}s${record.restarts ? `, ${record.restarts} container restart(s)` : ""}, load ${c.load1}`,
  );
}

async function scalingSection(): Promise<void> {
  const variants = [BASELINE, ...(opts.sections.has("tuning") ? effective([TUNED], scalingOverrides(3)) : [])];
  log(
    `== 4./5. scaling: brokers ${opts.brokers.join(", ")} (${variants.map((v) => v.name).join(" and ")}): provisioning time, memory, teardown time`,
  );
  for (let rep = 1; rep <= opts.reps; rep++) {
    for (const brokers of opts.brokers) for (const variant of variants) await scalingRun(variant, brokers, rep);
  }
}

// ---------------------------------------------------------------- main

async function preflight(): Promise<void> {
  const { images: needed } = benchLab(opts.topology, "bench-preflight", "pulumi").topology;
  const images = needed;
  const missing = [];
  for (const image of new Set(images)) if (!(await imageExists(image))) missing.push(image);
  if (missing.length > 0) throw new Error(`missing local images ${missing.join(", ")}: run bash test-images/build.sh`);
  if (opts.sections.has("throughput") && !(await which("kcat", { nothrow: true })))
    throw new Error("kcat is not installed (bash .ci/ensure-tools.sh installs it)");
  const left = await benchLeftovers();
  if (left.length > 0) {
    log(`removing leftovers of an earlier benchmark: ${left.map((l) => l.what).join(", ")}`);
    await composeDown().catch(() => undefined);
    for (const lab of new Set(left.map((l) => l.lab))) await removeLabelled(lab, quiet);
  }
  const [docker, compose, kcat, git] = await Promise.all([
    version("docker", ["version", "--format", "{{.Server.Version}}"]),
    version("docker-compose", ["version", "--short"]),
    run("kcat", ["-V"])
      .then((r) => /Version (\S+).*?librdkafka (\S+)/s.exec(r.stdout) ?? [])
      .then(
        ([, k, l]) => (k ? `${k} (librdkafka ${l})` : "unknown"),
        () => "not installed",
      ),
    version("git", ["rev-parse", "--short", "HEAD"]),
  ]);
  results.meta.versions = { node: process.version, docker, "docker-compose": compose, kcat, kafkajs: "2.2.4" };
  results.meta.commit = git;
}

async function writeResults(): Promise<string> {
  mkdirSync(resultsDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const stamp = results.meta.startedAt.slice(0, 16).replace(/:/g, "-");
  const base = `${stamp}-${opts.topology}${opts.quick ? "-quick" : ""}`;
  const jsonFile = join(workDir, `${base}.json`);
  writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
  let png: string | undefined;
  if (opts.chart) {
    const python = await pythonWithMatplotlib(log);
    if (python) {
      const chart = await run(python, [join(benchDir, "chart.py"), jsonFile, join(resultsDir, `${base}.png`)]);
      if (chart.exitCode === 0) png = `${base}.png`;
      else log(`chart failed: ${chart.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    } else {
      log("SKIPPED: chart: no Python with matplotlib (Debian's python3-matplotlib) and it could not be installed");
    }
  }
  const markdown = renderReport(results, png);
  writeFileSync(join(resultsDir, `${base}.md`), markdown);
  copyFileSync(join(resultsDir, `${base}.md`), join(resultsDir, "latest.md"));
  return join(resultsDir, `${base}.md`);
}

let exitCode = 0;
try {
  await preflight();
  log(
    `kafka-lab benchmark: ${results.meta.command}; ${results.meta.cores} cores, ${results.meta.memoryGiB} GiB, load ${results.meta.load.start.join(" ")}`,
  );
  if (opts.sections.has("ready")) await readySection();
  if (opts.sections.has("throughput")) await throughputSection();
  if (opts.sections.has("scaling")) await scalingSection();
} catch (error) {
  results.errors.push((error as Error).message);
  log(`benchmark stopped: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await removeEverything();
}
const left = (await benchLeftovers()).map((l) => l.what);
if (left.length > 0) {
  results.errors.push(`left behind: ${left.join(", ")}`);
  exitCode = 1;
}
results.meta.finishedAt = new Date().toISOString();
results.meta.seconds = Math.round((performance.now() - startedAt) / 1000);
results.meta.load.end = loadavg().map((l) => Math.round(l * 100) / 100);
const report = await writeResults();
log(`report: ${report} (and bench/results/latest.md)`);
log(left.length > 0 ? `LEFT BEHIND: ${left.join(", ")}` : "no container, network or volume of a benchmark lab is left");
if (results.errors.length > 0) log(`${results.errors.length} measurement(s) failed; see the report's Errors section`);
process.exit(exitCode);
