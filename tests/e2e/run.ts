// npm run test:e2e: real Kafka labs on the local Docker engine, built from the very topology objects the
// Pulumi component consumes (config from the example stack files, with the images switched to the local test
// images). For each lab: round trips from the host (OUTSIDE) and from a container on the lab network (INSIDE),
// plus kcat and per-broker checks where they apply; then persistence, a deliberately broken lab that must fail,
// and the full Pulumi CLI path where the CLI exists. Everything is torn down, also on failure or Ctrl-C, and no
// container, network or volume may be left. Prints "e2e: N passed, N failed, N skipped".
//
// Options: --only fail-fast,tutorial,cluster,kraft,sasl,persistence,wrong-host,full-stack (default: all); --count N
// (messages per smoke test, default 200); --keep (leave the tutorial lab running; no leftover check).

import { argv, $ } from "zx";
import { buildTopology, type LabTopology } from "../../infra/topology.js";
import { api, imageExists, containerRssMb, removeContainer, volumeNames } from "../../scripts/lib/docker-api.js";
import { projectRoot } from "../../scripts/lib/pulumi.js";
import { leftoversOf, realiseLab, removeLabelled, teardownLab, type RunningLab } from "./lab-harness.js";
import { CheckRunner } from "./checks.js";
import { configFromStackFile } from "../support/stack-file.js";
import { kcatRoundTrip } from "./kcat.js";
import { CLIENT_IMAGE, smokeInside, smokeOutside } from "./smoke.js";
import { fullStack } from "./full-stack.js";
import { checkEveryBroker } from "./brokers.js";
import { persistenceRoundTrip } from "./persistence.js";
import { failFast } from "./fail-fast.js";
import { brokerFailureRoundTrip, chooseBrokerToStop } from "./broker-failure.js";
import { loginWorks, passwordNowhere, runPassword, wrongPasswordFailsFast } from "./sasl.js";

const log = (line: string) => console.log(line);
const count = Number(argv.count ?? 200);
const only = new Set(String(argv.only ?? "fail-fast,tutorial,cluster,kraft,sasl,persistence,wrong-host,full-stack").split(","));
const checks = new CheckRunner(log);

/** The local test images (test-images/build.sh) that stand in for the public defaults. */
const LOCAL_IMAGES = {
  kafkaImage: "kafka-lab-local/kafka:3.9.2",
  zookeeperImage: "kafka-lab-local/zookeeper:3.8.4",
  kraftImage: "kafka-lab-local/kafka:4.2.0",
};

function labFrom(stackFile: string, stack: string, overrides: Record<string, string>): LabTopology {
  const config = configFromStackFile(stackFile, overrides);
  const images: Record<string, string> = config.mode === "kraft"
    ? { kraftImage: LOCAL_IMAGES.kraftImage }
    : { kafkaImage: LOCAL_IMAGES.kafkaImage, zookeeperImage: LOCAL_IMAGES.zookeeperImage };
  return buildTopology(configFromStackFile(stackFile, { ...images, ...overrides }), { project: "kafka-lab", stack });
}

const saslPassword = runPassword();
const labs = {
  tutorial: labFrom("Pulumi.ci.yaml", "e2e", {}),
  cluster: labFrom("Pulumi.cluster.yaml", "e2e-cluster", { outsidePort: "29192" }),
  kraft: labFrom("Pulumi.kraft.yaml", "e2e-kraft", { outsidePort: "29292" }),
  persistence: labFrom("Pulumi.ci.yaml", "e2e-persistence", { outsidePort: "29392", persistence: "true" }),
  sasl: labFrom("Pulumi.ci.yaml", "e2e-sasl", { outsidePort: "29892", outsideAuth: "scram-sha-256", outsidePassword: saslPassword }),
  wrongHost: labFrom("Pulumi.ci.yaml", "e2e-wrong-host", { outsideHost: "wrong-host.invalid", outsidePort: "29492", topics: "[]" }),
};

const running = new Map<LabTopology, Partial<RunningLab>>();
async function teardown(topology: LabTopology): Promise<void> {
  try {
    await teardownLab({ ...running.get(topology), topology }, log);
  } catch (error) {
    log(`  teardown of ${topology.labName} failed: ${(error as Error).message}`);
  }
  running.delete(topology);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    log(`\n${signal}: tearing the labs down before exiting`);
    for (const topology of Object.values(labs)) await removeLabelled(topology.labName, log).catch(() => undefined);
    process.exit(130);
  });
}

/** Realises a lab, runs its checks, and tears it down whatever happened. */
async function withLab(topology: LabTopology, title: string, body: (lab: RunningLab) => Promise<void>, keep = false, kafkaSetup = true, password?: string): Promise<void> {
  const lab: Partial<RunningLab> = {};
  running.set(topology, lab);
  const ready = await checks.run(`${title}: ${topology.labName} healthy${kafkaSetup ? ", topics created, groups coordinated" : ""}`, async () => {
    log(`  ${topology.containers.length} containers on ${topology.network.name}: ${topology.containers.map((c) => `${c.key} (${c.image})`).join(", ")}`);
    await realiseLab(topology, log, lab, { kafkaSetup, ...(password ? { password } : {}) });
    log(`  healthy after ${lab.secondsToHealthy!.toFixed(1)}s, ready (topics) after ${lab.secondsToReady!.toFixed(1)}s`);
  });
  try {
    if (ready) await body(lab as RunningLab);
  } finally {
    if (keep) {
      log(`--keep: ${topology.labName} left running; remove it with: docker rm -f $(docker ps -aq --filter label=org.kafka-lab.lab=${topology.labName}) && docker network rm ${topology.network.name}`);
    } else {
      await teardown(topology);
    }
  }
}

async function roundTrips(topology: LabTopology, title: string, topic: string): Promise<void> {
  await checks.run(`${title}: round trip from the host through OUTSIDE (${topology.outputs.bootstrapServers}), topic ${topic}`, () =>
    smokeOutside(topology.outputs.bootstrapServers, topic, count, log));
  await checks.run(`${title}: round trip from a container on the lab network through INSIDE (${topology.outputs.internalBootstrapServers})`, () =>
    smokeInside(topology, topic, count, log));
}

async function memoryReport(topology: LabTopology, lab: RunningLab, title: string): Promise<void> {
  await checks.run(`${title}: memory of each container (RSS) within the limits the engine enforces, stop grace and restart policy set`, async () => {
    let total = 0;
    for (const spec of topology.containers) {
      const id = lab.containerIds.get(spec.key)!;
      const rss = await containerRssMb(id);
      const info = await api("GET", `/containers/${id}/json`);
      const limitMb = info.HostConfig.Memory / (1024 * 1024);
      total += rss;
      log(`  ${spec.key}: ${rss} MiB RSS (engine limit ${limitMb} MiB, stop grace ${info.Config.StopTimeout}s, restart ${info.HostConfig.RestartPolicy.Name})`);
      if (limitMb !== spec.memoryMb) throw new Error(`${spec.key}: the engine's memory limit is ${limitMb} MiB, the topology says ${spec.memoryMb}`);
      if (rss >= limitMb) throw new Error(`${spec.key}: ${rss} MiB RSS reaches its ${limitMb} MiB limit`);
      if (info.Config.StopTimeout !== spec.stopGraceSeconds) throw new Error(`${spec.key}: stop grace ${info.Config.StopTimeout}s, expected ${spec.stopGraceSeconds}s`);
      if (info.HostConfig.RestartPolicy.Name !== spec.restartPolicy) throw new Error(`${spec.key}: restart policy ${info.HostConfig.RestartPolicy.Name}`);
    }
    log(`  lab total: ${total} MiB`);
  });
}

const volumesBefore = await volumeNames();

await checks.run("local test images exist", async () => {
  const needed = [...new Set([...Object.values(labs).flatMap((t) => t.images.map((i) => i.name)), CLIENT_IMAGE])];
  const missing = [];
  for (const image of needed) if (!(await imageExists(image))) missing.push(image);
  if (missing.length > 0) throw new Error(`missing ${missing.join(", ")}: run bash test-images/build.sh and bash test-images/node-client/build.sh`);
});

await checks.run("no leftovers from an earlier run", async () => {
  for (const topology of Object.values(labs)) await removeLabelled(topology.labName, log);
});

// Needs no lab: round-trip.ts against loopback ports where nothing, a mute TCP server or an HTTP server listens.
if (only.has("fail-fast")) {
  await checks.run("a dead or wrong address fails fast: round-trip.ts exits non-zero within 10 s naming the address and OUTSIDE (closed port, mute TCP server, HTTP server)", () =>
    failFast(log));
}

if (only.has("tutorial")) {
  const topology = labs.tutorial;
  await withLab(topology, "tutorial lab", async (lab) => {
    await roundTrips(topology, "tutorial lab", "topic_test");
    await checks.run("tutorial lab: round trip with kcat (librdkafka) through OUTSIDE", () =>
      kcatRoundTrip(topology.outputs.bootstrapServers, "orders", count, log));
    await memoryReport(topology, lab, "tutorial lab");
    await checks.run("tutorial lab: realising the unchanged topology again changes nothing", async () => {
      const again = await realiseLab(topology, log, {});
      log(`  created ${again.created.length}, unchanged ${again.unchanged.join(", ")}`);
      if (again.created.length > 0) throw new Error(`re-created ${again.created.join(", ")} although nothing changed`);
      for (const [key, id] of lab.containerIds) if (again.containerIds.get(key) !== id) throw new Error(`${key} has a new container`);
    });
    await checks.run("tutorial lab: a broker removed by hand is restored, and only it", async () => {
      await removeContainer(lab.containerIds.get("kafka-1")!);
      log("  removed kafka-1 by hand (docker rm -f)");
      const restored = await realiseLab(topology, log, {});
      log(`  created ${restored.created.join(", ")}; unchanged ${restored.unchanged.join(", ")}`);
      if (JSON.stringify(restored.created) !== JSON.stringify(["kafka-1"])) throw new Error(`expected only kafka-1 to be created, got ${restored.created.join(", ")}`);
      lab.containerIds = restored.containerIds;
      await smokeOutside(topology.outputs.bootstrapServers, "topic_test", count, log);
    });
  }, Boolean(argv.keep));
}

for (const name of ["cluster", "kraft"] as const) {
  if (!only.has(name)) continue;
  const topology = labs[name];
  const title = name === "cluster" ? "cluster (3 ZooKeeper + 3 brokers)" : "KRaft cluster (3 brokers, Kafka 4.x)";
  const replicated = topology.topics.find((t) => t.replicationFactor === 3)!;
  await withLab(topology, title, async (lab) => {
    await checks.run(`${title}: every broker's OUTSIDE address answers and advertises the cluster`, () =>
      checkEveryBroker(topology.outputs.bootstrapServers, log));
    await roundTrips(topology, title, replicated.name);
    await memoryReport(topology, lab, title);
    // Last: it stops a broker (and starts it again). The check itself fails if this broker no longer leads.
    const victim = await chooseBrokerToStop(topology, replicated.name).catch(() => undefined);
    await checks.run(`${title}: no acknowledged message lost while ${victim === undefined ? "a partition leader" : `broker ${victim}`} is stopped and restarted (idempotent acks=all producer, topic ${replicated.name})`, () =>
      brokerFailureRoundTrip(topology, lab, log, { topic: replicated.name, ...(victim === undefined ? {} : { brokerId: victim }) }));
  });
}

if (only.has("sasl")) {
  const topology = labs.sasl;
  await withLab(topology, "SCRAM lab", async (lab) => {
    await checks.run("SCRAM lab: the round trip logs in through OUTSIDE with the right password", () => loginWorks(topology, saslPassword, log));
    await checks.run("SCRAM lab: a wrong password fails within 10 s with an authentication error; no login fails too", () =>
      wrongPasswordFailsFast(topology, saslPassword, log));
    await checks.run("SCRAM lab: INSIDE stays PLAINTEXT for the lab's own containers", () => smokeInside(topology, "topic_test", count, log));
    await checks.run("SCRAM lab: the password is in no container's env, command, labels or log", () => passwordNowhere(topology, lab, saslPassword, log));
  }, false, true, saslPassword);
}

if (only.has("persistence")) {
  await checks.run("persistence: messages and committed offsets survive re-created containers and an in-place restart", () =>
    persistenceRoundTrip(labs.persistence, log));
}

// The harness must be able to fail: a broker that advertises a host the client cannot resolve. Its
// containers are healthy; topics and readiness cannot be set up through such a listener (pulumi up fails
// there too, naming the OUTSIDE listener), so the harness only starts the containers.
if (only.has("wrong-host")) {
  const topology = labs.wrongHost;
  await withLab(topology, "broken lab", async () => {
    await checks.run("broken lab: consumer-group readiness fails, naming the OUTSIDE listener and outsideHost", async () => {
      const failure = await realiseLab(topology, () => undefined, {}).then(() => undefined, (error: Error) => error);
      if (!failure) throw new Error("readiness passed through a listener advertising wrong-host.invalid");
      log(`  ${failure.message}`);
      if (!/OUTSIDE listener/.test(failure.message) || !/kafka-lab:outsideHost/.test(failure.message)) {
        throw new Error(`the error does not name the OUTSIDE listener and kafka-lab:outsideHost: ${failure.message}`);
      }
    });
    await checks.run("broken lab: a wrong advertised host fails the OUTSIDE smoke, naming the listener and the address", async () => {
      const advertised = topology.outputs.bootstrapServers;
      const bootstrap = advertised.replace("wrong-host.invalid", "127.0.0.1");
      const result = await $({ cwd: projectRoot, nothrow: true, quiet: true })`node --import tsx smoke-tests/round-trip.ts --bootstrap ${bootstrap} --listener OUTSIDE --count 5 --timeout-ms 10000`;
      const output = result.stdout + result.stderr;
      log(output.trim().split("\n").map((l) => `  | ${l}`).join("\n"));
      if (result.exitCode === 0) throw new Error(`the smoke test passed against a broker advertising ${advertised}`);
      if (!output.includes("OUTSIDE") || !output.includes(advertised)) {
        throw new Error(`exit code ${result.exitCode}, but the message does not name the OUTSIDE listener and ${advertised}`);
      }
    });
  }, false, false);
}

if (only.has("full-stack")) {
  await checks.run("full stack through the Pulumi CLI: up, smoke tests, preview without changes, destroy", () => fullStack(log));
}

/** Volumes that containers of no lab of this run mount now: someone else's lab, started during the run. */
async function volumesOfOtherContainers(): Promise<Set<string>> {
  const ours = new Set(Object.values(labs).map((t) => t.labName));
  const containers = await api<Array<{ Labels: Record<string, string> | null; Mounts: Array<{ Name?: string }> | null }>>("GET", "/containers/json?all=1");
  return new Set(containers
    .filter((c) => !ours.has(c.Labels?.["org.kafka-lab.lab"] ?? ""))
    .flatMap((c) => (c.Mounts ?? []).map((m) => m.Name ?? "").filter((name) => name !== "")));
}

if (!argv.keep) {
  await checks.run("no container, network or volume of any lab is left, labelled or anonymous", async () => {
    const left = [];
    for (const topology of Object.values(labs)) left.push(...await leftoversOf(topology.labName));
    const others = await volumesOfOtherContainers();
    const newVolumes = [...await volumeNames()].filter((v) => !volumesBefore.has(v) && !others.has(v));
    left.push(...newVolumes.map((v) => `volume ${v} (created during the run)`));
    if (left.length > 0) throw new Error(`left behind: ${left.join(", ")}`);
  });
}

process.exitCode = checks.finish("e2e");
