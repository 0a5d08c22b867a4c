// node --import tsx --test bench/*.test.ts (no Docker needed)
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { HELP, parseBenchOptions } from "./options.js";
import { benchLab, scalingOverrides, variantChanges, BASELINE } from "./labs.js";
import { dockerRunArgs, healthCmd } from "./cli-lab.js";
import { pulumiSteps } from "./pulumi-steps.js";
import {
  FLOOR_LAB,
  FLOOR_NETWORK,
  floorEnv,
  floorProgram,
  floorProjectFile,
  writeFloorProject,
} from "./pulumi-floor.js";
import { FLOOR_PATHS, FLOOR_PROGRAMS, type ReadyRun, type Results } from "./model.js";
import { renderReport } from "./report.js";
import { LAB_LABEL } from "../infra/model/specs.js";

test("options: defaults, --quick, lists and bad values", () => {
  const d = parseBenchOptions({ _: [], chart: true });
  assert.equal(d.topology, "tutorial");
  assert.equal(d.reps, 3);
  assert.equal(d.messages, 100_000);
  assert.deepEqual(d.sizes, [100, 1024]);
  assert.deepEqual(d.brokers, [1, 3, 5]);
  assert.deepEqual([...d.sections], ["ready", "throughput", "scaling", "tuning"]);
  const q = parseBenchOptions({ _: [], quick: true, chart: false });
  assert.equal(q.reps, 1);
  assert.deepEqual(q.brokers, [1, 3]);
  assert.equal(q.chart, false);
  const o = parseBenchOptions({ _: [], topology: "kraft", reps: "5", sizes: "200,200,4096", only: "scaling" });
  assert.equal(o.topology, "kraft");
  assert.deepEqual(o.sizes, [200, 4096]);
  assert.deepEqual([...o.sections], ["scaling"]);
  assert.throws(() => parseBenchOptions({ _: [], topology: "big" }), /--topology must be one of/);
  assert.throws(() => parseBenchOptions({ _: [], reps: "0" }), /--reps must be 1..20/);
  assert.throws(() => parseBenchOptions({ _: [], sizes: "50" }), /--sizes must be 100..1000000/);
  assert.throws(() => parseBenchOptions({ _: [], brokers: "10" }), /--brokers must be 1..9/);
  assert.throws(() => parseBenchOptions({ _: [], only: "speed" }), /unknown section speed/);
  assert.throws(() => parseBenchOptions({ _: [], rep: "3" }), /unknown flag --rep/);
});

test("bench labs: bench-* names, ports in 30000-30999, variants change copies only", () => {
  const { topology } = benchLab("tutorial", "bench-x", "cli");
  assert.equal(topology.labName, "kafka-lab-bench-x");
  assert.equal(topology.outputs.bootstrapServers.value, "localhost:30101");
  assert.ok(topology.containers.every((c) => c.image.startsWith("kafka-lab-local/")));
  const five = benchLab("cluster", "bench-y", "scaling", BASELINE, scalingOverrides(5)).topology;
  assert.equal(five.outputs.bootstrapServers.value.split(",").at(-1), "localhost:30405");
  assert.deepEqual(
    five.topics.map((t) => t.name),
    ["topic_test"],
  );
  const tuned = benchLab("tutorial", "bench-x", "cli", {
    name: "t",
    parallelStart: true,
    healthIntervalSeconds: 0.5,
    brokerEnv: { KAFKA_X: "1" },
  }).topology;
  assert.ok(tuned.containers.every((c) => c.dependsOn.length === 0 && c.healthcheck.intervalSeconds === 0.5));
  assert.equal(tuned.containers.find((c) => c.role === "broker")!.env.KAFKA_X, "1");
  assert.equal(tuned.containers.find((c) => c.role === "zookeeper")!.env.KAFKA_X, undefined);
  assert.deepEqual(
    benchLab("tutorial", "bench-x", "cli").topology.containers.find((c) => c.role === "broker")!.dependsOn,
    ["zookeeper-1"],
  );
  assert.throws(() => benchLab("tutorial", "e2e", "cli"), /bench-\*/);
});

test("docker run: the topology's env, ports, aliases, limits, labels, and the same healthcheck command", () => {
  const { topology } = benchLab("tutorial", "bench-x", "cli");
  const kafka = topology.containers.find((c) => c.role === "broker")!;
  const args = dockerRunArgs(topology, kafka);
  const value = (flag: string) => args[args.indexOf(flag) + 1];
  assert.equal(value("--name"), kafka.name);
  assert.equal(value("--network"), "kafka-lab-bench-x-network");
  assert.equal(value("--publish"), "127.0.0.1:30101:9092");
  assert.equal(value("--memory"), `${kafka.memoryMb}m`);
  assert.equal(value("--health-interval"), "2s");
  assert.ok(args.includes(`KAFKA_ADVERTISED_LISTENERS=${kafka.env.KAFKA_ADVERTISED_LISTENERS}`));
  assert.ok(args.includes("org.kafka-lab.lab=kafka-lab-bench-x"));
  assert.equal(args.at(-1), kafka.image);
  // /bin/sh -c "<health-cmd>" must hand bash exactly the topology's probe (quotes and backslashes intact).
  const echoed = execFileSync("sh", [
    "-c",
    healthCmd(["CMD", "printf", "%s|", ...kafka.healthcheck.test.slice(1)]),
  ]).toString();
  assert.equal(echoed, `${kafka.healthcheck.test.slice(1).join("|")}|`);
});

test("variantChanges: what a variant changes against the baseline, nothing when the baseline already does it", () => {
  assert.deepEqual(variantChanges("tutorial", { name: "i", healthIntervalSeconds: 0.5 }), [
    "healthcheck interval 2 s → 0.5 s",
  ]);
  assert.deepEqual(variantChanges("tutorial", { name: "p", parallelStart: true }), [
    "brokers start without waiting for ZooKeeper's healthcheck",
  ]);
  assert.deepEqual(variantChanges("kraft", { name: "p", parallelStart: true }), [], "KRaft brokers depend on nothing");
  const same = benchLab("tutorial", "bench-x", "cli").topology.containers.find((c) => c.role === "broker")!.env;
  assert.deepEqual(variantChanges("tutorial", { name: "s", brokerEnv: { ...same } }), []);
  assert.match(
    variantChanges("tutorial", { name: "x", brokerEnv: { KAFKA_X: "1" } }).join(),
    /broker KAFKA_X unset → 1/,
  );
});

test("pulumiSteps: marks each step of pulumi up's progress lines once, in order, split across chunks", () => {
  const marked: string[] = [];
  const feed = pulumiSteps((step) => marked.push(step), new Set(["zookeeper-1", "kafka-1"]));
  const lines = [
    "Updating (bench-pulumi):",
    " +  pulumi:pulumi:Stack kafka-lab-bench-pulumi creating (0s) ",
    " +  pulumi:providers:docker docker created (0.01s) ",
    " +  docker:index:Network network creating (0s) ",
    " +  docker:index:Network network created (2s) ",
    " +  docker:index:Container zookeeper-1 creating (0s) ",
    " +  docker:index:Container kafka-1 creating (0s) ",
    " +  docker:index:Container zookeeper-1 creating (3s) ",
    " +  docker:index:Container zookeeper-1 created (0.5s) ",
    " +  pulumi-nodejs:dynamic/kafka-lab:ContainerHealthy healthy-zookeeper-1 created (1s) ",
    " +  docker:index:Container kafka-1 created (0.6s) ",
    " +  pulumi-nodejs:dynamic/kafka-lab:ContainerHealthy healthy-kafka-1 created (3s) ",
    " +  pulumi-nodejs:dynamic/kafka-lab:KafkaTopic topic-a created (1s) ",
    " +  pulumi-nodejs:dynamic/kafka-lab:KafkaTopic topic-b created (1s) ",
    " +  pulumi-nodejs:dynamic/kafka-lab:ConsumerGroupReadiness readiness created (1s) ",
  ].join("\n");
  feed(lines.slice(0, 100));
  feed(lines.slice(100) + "\n");
  assert.deepEqual(marked, [
    "update started",
    "program running",
    "network created",
    "zookeeper-1 creating",
    "kafka-1 creating",
    "zookeeper-1 created",
    "zookeeper-1 healthy",
    "kafka-1 created",
    "kafka-1 healthy",
    "topics",
    "topics",
    "coordinator",
  ]);
});

test("--help and --only ready: the ready section includes Pulumi's floor", () => {
  assert.match(HELP, /Pulumi's own floor/);
  assert.match(HELP, /\+ the Docker provider; \+ one network/);
  assert.deepEqual([...parseBenchOptions({ _: [], only: "ready" }).sections], ["ready"]);
});

test("Pulumi's floor: three inline programs, each a project of its own, a bench-labelled network", async () => {
  const root = mkdtempSync(join(tmpdir(), "kafka-lab-floor-test-"));
  try {
    for (const program of FLOOR_PROGRAMS) {
      const project = parseYaml(floorProjectFile(program)) as any;
      assert.equal(project.name, `kafka-lab-floor-${program}`);
      assert.equal(project.runtime, "nodejs");
      const dir = writeFloorProject(root, program);
      writeFloorProject(root, program); // again: idempotent
      assert.deepEqual(parseYaml(readFileSync(join(dir, "Pulumi.yaml"), "utf8")), project);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  // What each program registers, under Pulumi's mocks (the programs run for real in npm run bench).
  const registered: Array<{ type: string; inputs: any; provider?: string }> = [];
  pulumi.runtime.setMocks(
    {
      newResource: (args: pulumi.runtime.MockResourceArgs) => {
        registered.push({ type: args.type, inputs: args.inputs, provider: args.provider });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "kafka-lab-floor",
    "bench-floor",
  );
  assert.deepEqual(await floorProgram("empty")(), { floor: "exports only" });
  const { networkName } = (await floorProgram("network")()) as { networkName: pulumi.Output<string> };
  await new Promise((resolve) => networkName.apply(resolve)); // registered once its output resolves
  assert.ok(
    registered.some((r) => r.type === "pulumi:providers:docker"),
    "an explicit Docker provider",
  );
  const network = registered.find((r) => r.type === "docker:index/network:Network");
  assert.match(network?.provider ?? "", /pulumi:providers:docker::docker/);
  assert.deepEqual(network?.inputs.labels, [{ label: LAB_LABEL, value: FLOOR_LAB }]);
  assert.equal(network?.inputs.name, FLOOR_NETWORK);
  assert.ok(FLOOR_LAB.startsWith("kafka-lab-bench-"), "the leftover checks look for kafka-lab-bench-* labs");
  assert.deepEqual(floorEnv("/w/floor"), {
    PULUMI_BACKEND_URL: "file:///w/floor/state",
    PULUMI_CONFIG_PASSPHRASE: "",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  });
});

/** A run's results with the given ready runs (every other section empty). */
function readyResults(ready: ReadyRun[]): Results {
  return {
    meta: {
      startedAt: "2026-11-26T10:00:00.000Z",
      command: "npm run bench -- --only ready",
      topology: "tutorial",
      stackFile: "Pulumi.ci.yaml",
      reps: 2,
      messages: 1,
      sizes: [100],
      brokers: [1],
      sections: ["ready"],
      quick: false,
      cpuModel: "test",
      cores: 2,
      memoryGiB: 4,
      load: { start: [1, 1, 1] },
      othersMax: 0,
      versions: {},
      commit: "abc",
    },
    variants: {},
    ready,
    skipped: {},
    throughput: [],
    memory: [],
    scaling: [],
    errors: [],
  };
}

test("report: Pulumi's floor rows, and pulumi up and destroy against both floors", () => {
  const run = (path: string, rep: number, ready: number, teardown: number, extra: Partial<ReadyRun> = {}) => ({
    path,
    rep,
    load1: 1,
    others: 0,
    ready,
    teardown,
    ...extra,
  });
  const runs: ReadyRun[] = [];
  for (const rep of [1, 2]) {
    runs.push(run("pulumi", rep, rep === 1 ? 16.4 : 16.6, 4.9, { healthy: 14, first: 18.8 }));
    runs.push(run(FLOOR_PATHS.empty, rep, 1.8, 0.6, { phases: { "stack opened": 0.5 } }));
    runs.push(run(FLOOR_PATHS.provider, rep, rep === 1 ? 2.3 : 2.5, 0.6));
    runs.push(run(FLOOR_PATHS.network, rep, 6.5, 3.0, { phases: { "network created": 4.1 } }));
    runs.push(run("cli", rep, 6.8, 1.4, { healthy: 5.5, first: 8.0 }));
  }
  const md = renderReport(readyResults(runs), undefined);
  assert.ok(
    md.includes(
      "| Pulumi's floor: a program that exports a string | – | 1.80 (1.80–1.80) | – | 0.60 (0.60–0.60) | – | 0 | 2/2 |",
    ),
  );
  assert.ok(
    md.includes(
      "| Pulumi's floor: the Docker provider and one output | – | 2.40 (2.30–2.50) | – | 0.60 (0.60–0.60) | – | 0 | 2/2 |",
    ),
  );
  assert.ok(
    md.includes(
      "| Pulumi's floor: the Docker provider and one network | – | 6.50 (6.50–6.50) | – | 3.00 (3.00–3.00) |",
    ),
  );
  assert.ok(
    md.includes(
      "- `pulumi up` to ready 16.5 s = container floor (`docker run`) 6.8 s ×2.43; " +
        "= Pulumi's floor (provider + network) 6.5 s + 10.0 s (×2.54); = Pulumi's floor with the provider only 2.4 s + 14.1 s (×6.88)\n",
    ),
    md,
  );
  assert.ok(
    md.includes(
      "- `pulumi destroy` 4.9 s = container floor (`docker stop`, `docker rm`) 1.4 s ×3.50; " +
        "= Pulumi's floor (provider + network) 3.0 s + 1.9 s (×1.63); = Pulumi's floor with the provider only 0.6 s + 4.3 s (×8.17)\n",
    ),
  );
  assert.ok(
    md.includes(
      "- Pulumi by itself, from nothing to its outputs read: an output only 1.8 s, + the Docker provider 2.4 s, " +
        "+ one network 6.5 s; `pulumi destroy`: an output only 0.6 s, + the Docker provider 0.6 s, + one network 3.0 s\n",
    ),
  );
  assert.match(md, /\*Pulumi's floor\*: scratch programs/);
  assert.match(md, /\| Pulumi's floor: the Docker provider and one network \| network created 4.10 \(4.10–4.10\) \|/);
  assert.doesNotMatch(md, /tuning: pulumi-floor/);
  // Without Pulumi's floor (older runs rendered again): no floor lines.
  const old = renderReport(readyResults(runs.filter((r) => !r.path.startsWith("pulumi-floor"))), undefined);
  assert.doesNotMatch(old, /Pulumi's floor|Pulumi by itself/);
  assert.match(old, /kafka-lab \(pulumi up\) vs docker run floor: ready ×2.43/);
});

test("report: Pulumi's floor skipped without the CLI", () => {
  const results = readyResults([{ path: "cli", rep: 1, load1: 1, others: 0, ready: 6.8, teardown: 1.4 }]);
  results.skipped = { pulumi: "no CLI", [FLOOR_PATHS.network]: "no CLI" };
  const md = renderReport(results, undefined);
  assert.match(md, /\| Pulumi's floor: the Docker provider and one network \| SKIPPED: no CLI \|/);
  assert.doesNotMatch(md, /Pulumi by itself/);
});
