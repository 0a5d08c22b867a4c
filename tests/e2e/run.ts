// npm run test:e2e: a real Kafka lab on the local Docker engine, built from the very topology objects the
// Pulumi component consumes (config from Pulumi.ci.yaml, which points at the local test images). Checks the
// round trip from the host (OUTSIDE), from a container on the lab network (INSIDE), and with kcat, then
// tears down and asserts that nothing carrying the lab's label is left. Prints "e2e: N passed, N failed, N skipped".
//
// Options: --keep (leave the lab running for a look; no leftover check), --count N (messages per smoke).

import { argv, $ } from "zx";
import { buildTopology, type LabTopology } from "../../infra/topology.js";
import { imageExists, containerRssMb } from "../../scripts/lib/docker-api.js";
import { projectRoot } from "../../scripts/lib/pulumi.js";
import { leftoversOf, realiseLab, removeLabelled, teardownLab, type RunningLab } from "./lab-harness.js";
import { CheckRunner } from "./checks.js";
import { configFromStackFile } from "../support/stack-file.js";
import { kcatRoundTrip } from "./kcat.js";
import { CLIENT_IMAGE, smokeInside, smokeOutside } from "./smoke.js";
import { fullStack } from "./full-stack.js";

const log = (line: string) => console.log(line);
const count = Number(argv.count ?? 200);
const checks = new CheckRunner(log);

function e2eTopology(stack: string, overrides: Record<string, string> = {}): LabTopology {
  return buildTopology(configFromStackFile("Pulumi.ci.yaml", overrides), { project: "kafka-lab", stack });
}

const topology = e2eTopology("e2e");
const broken = e2eTopology("e2e-wrong-host", { outsideHost: "wrong-host.invalid", outsidePort: "29192" });
const running: Partial<RunningLab> = {};
let tornDown = false;

async function teardown(lab: Partial<RunningLab> & { topology: LabTopology }): Promise<void> {
  try {
    await teardownLab(lab, log);
  } catch (error) {
    log(`  teardown failed: ${(error as Error).message}`);
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    log(`\n${signal}: tearing the lab down before exiting`);
    await teardown({ ...running, topology });
    await removeLabelled(broken.labName, log).catch(() => undefined);
    process.exit(130);
  });
}

await checks.run("local test images exist", async () => {
  const needed = [...topology.images.map((i) => i.name), CLIENT_IMAGE];
  const missing = [];
  for (const image of needed) if (!(await imageExists(image))) missing.push(image);
  if (missing.length > 0) throw new Error(`missing ${missing.join(", ")}: run bash test-images/build.sh`);
});

await checks.run("no leftovers from an earlier run", async () => {
  for (const lab of [topology, broken]) await removeLabelled(lab.labName, log);
});

const ready = await checks.run(`lab ${topology.labName} healthy and topics created`, async () => {
  log(`  ${topology.containers.length} containers on ${topology.network.name}: ${topology.containers.map((c) => c.key).join(", ")}`);
  await realiseLab(topology, log, running);
  log(`  healthy after ${running.secondsToHealthy!.toFixed(1)}s, ready (topics) after ${running.secondsToReady!.toFixed(1)}s`);
});

if (ready) {
  await checks.run(`round trip from the host through OUTSIDE (${topology.outputs.bootstrapServers})`, () =>
    smokeOutside(topology.outputs.bootstrapServers, count, log));
  await checks.run(`round trip from a container on ${topology.network.name} through INSIDE (${topology.outputs.internalBootstrapServers})`, () =>
    smokeInside(topology, count, log));
  await checks.run("round trip with kcat (librdkafka) through OUTSIDE", () =>
    kcatRoundTrip(topology.outputs.bootstrapServers, "orders", count, log));
  await checks.run("memory of each container (RSS)", async () => {
    let total = 0;
    for (const spec of topology.containers) {
      const rss = await containerRssMb(running.containerIds!.get(spec.key)!);
      total += rss;
      log(`  ${spec.key}: ${rss} MiB RSS (limit ${spec.memoryMb} MiB)`);
    }
    log(`  lab total: ${total} MiB`);
  });
}

if (argv.keep) {
  log(`--keep: lab ${topology.labName} left running; remove it with: docker rm -f $(docker ps -aq --filter label=org.kafka-lab.lab=${topology.labName}) && docker network rm ${topology.network.name}`);
} else {
  await teardown({ ...running, topology });
  tornDown = true;
}

// The harness must be able to fail: a broker that advertises a host the client cannot resolve.
await checks.run("a wrong advertised host fails the OUTSIDE smoke, naming the listener and the address", async () => {
  const lab: Partial<RunningLab> = {};
  try {
    await realiseLab({ ...broken, topics: [] }, log, lab);
    const result = await $({ cwd: projectRoot, nothrow: true, quiet: true })`node --import tsx smoke-tests/round-trip.ts --bootstrap ${broken.outputs.bootstrapServers.replace("wrong-host.invalid", "127.0.0.1")} --listener OUTSIDE --count 5 --timeout-ms 10000`;
    const output = result.stdout + result.stderr;
    log(output.trim().split("\n").map((l) => `  | ${l}`).join("\n"));
    if (result.exitCode === 0) throw new Error("the smoke test passed against a broker advertising wrong-host.invalid");
    const advertised = broken.outputs.bootstrapServers;
    if (!output.includes("OUTSIDE") || !output.includes(advertised)) {
      throw new Error(`exit code ${result.exitCode}, but the message does not name the OUTSIDE listener and ${advertised}`);
    }
  } finally {
    await teardown({ ...lab, topology: broken });
  }
});

await checks.run("full stack through the Pulumi CLI: up, smoke tests, preview without changes, destroy", () => fullStack(log));

if (tornDown) {
  await checks.run("no container, network or volume with the labs' labels is left", async () => {
    const left = [...await leftoversOf(topology.labName), ...await leftoversOf(broken.labName)];
    if (left.length > 0) throw new Error(`left behind: ${left.join(", ")}`);
  });
}

process.exitCode = checks.finish("e2e");
