// The floor for provisioning: the very containers of a topology, started by plain `docker` CLI commands
// (same env, ports, network, volumes, aliases, memory limit, restart policy, labels and healthchecks), started and
// waited on the way the product does it (a broker beside ZooKeeper, its own probe run every 0.25 s while it starts),
// then the topology's setup steps through the same providers Pulumi runs. No Pulumi, no Docker API client of ours.

import { startOrder, type ContainerSpec, type LabTopology } from "../infra/model/topology.js";
import type { SetupStep } from "../infra/model/specs.js";
import { dockerVolumes, volumesOf } from "../infra/docker/volumes.js";
import { isSharedStep, providerInputs } from "../infra/setup/setup-inputs.js";
import providers from "../infra/setup/kafka-providers.cjs";
import restProviders from "../infra/setup/rest-providers.cjs";
import { run } from "./clients.js";

/** As often as the product's ContainerHealthy asks. */
const POLL_MS = 250;

export interface CliLab {
  topology: LabTopology;
  /** Container names started so far (teardown removes them). */
  started: string[];
  networkCreated: boolean;
  secondsToHealthy: number;
  secondsToReady: number;
}

async function docker(args: string[]): Promise<string> {
  const result = await run("docker", args);
  if (result.exitCode !== 0)
    throw new Error(`docker ${args.slice(0, 2).join(" ")} failed (${result.exitCode}): ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** Single-quotes a string for /bin/sh (the healthcheck of `docker run --health-cmd` runs as CMD-SHELL). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The healthcheck's "CMD" array as the one string `--health-cmd` takes (run by /bin/sh -c). */
export function healthCmd(test: string[]): string {
  if (test[0] !== "CMD") throw new Error(`expected a CMD healthcheck, got ${test[0]}`);
  return test.slice(1).map(shellQuote).join(" ");
}

/** `docker run` arguments for one container of the topology. */
export function dockerRunArgs(topology: LabTopology, spec: ContainerSpec): string[] {
  const network = topology.network.name;
  const hc = spec.healthcheck;
  return [
    "run",
    "--detach",
    "--name",
    spec.name,
    "--hostname",
    spec.hostname,
    "--network",
    network,
    ...spec.aliases.flatMap((alias) => ["--network-alias", alias]),
    ...Object.entries(spec.env).flatMap(([k, v]) => ["--env", `${k}=${v}`]),
    ...spec.ports.flatMap((p) => ["--publish", `${p.ip}:${p.external}:${p.internal}`]),
    ...volumesOf(topology, spec).flatMap((v) => ["--mount", `type=volume,src=${v.name},dst=${v.containerPath}`]),
    "--memory",
    `${spec.memoryMb}m`,
    "--restart",
    topology.config.restartPolicy,
    "--stop-timeout",
    String(spec.stopGraceSeconds),
    "--health-cmd",
    healthCmd(hc.test),
    "--health-interval",
    `${hc.intervalSeconds}s`,
    "--health-timeout",
    `${hc.timeoutSeconds}s`,
    "--health-retries",
    String(hc.retries),
    "--health-start-period",
    `${hc.startPeriodSeconds}s`,
    ...Object.entries(spec.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    spec.image,
  ];
}

/** Ready as the product's ContainerHealthy sees it: Docker calls it healthy, or its own probe passes (run here). */
async function waitHealthy(spec: ContainerSpec, timeoutSeconds: number): Promise<void> {
  const started = Date.now();
  const probe = spec.healthcheck.test.slice(1);
  for (;;) {
    const state = await docker([
      "inspect",
      "--format",
      "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}",
      spec.name,
    ]);
    if (state.endsWith(" healthy")) return;
    if (state.endsWith("unhealthy") || state.startsWith("dead")) throw new Error(`${spec.key} is ${state}`);
    if (state.startsWith("running") && (await run("docker", ["exec", spec.name, ...probe])).exitCode === 0) return;
    if (Date.now() - started > timeoutSeconds * 1000)
      throw new Error(`${spec.key} not healthy after ${timeoutSeconds}s (${state})`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Starts the lab with docker CLI commands; `lab` is filled in as it goes, so a failure can still be torn down.
 * Each container starts as the product starts it: once its dependencies exist when its image waits for them itself,
 * else once they are healthy. `mark` hears each step as it finishes: "<key> healthy", "topics", "coordinator", ...
 */
export async function realiseWithCli(
  topology: LabTopology,
  lab: CliLab,
  mark: (step: string) => void = () => undefined,
): Promise<CliLab> {
  if (topology.setup.some((step) => step.kind === "scram-user"))
    throw new Error("the docker CLI path does not set up SCRAM users");
  const started = Date.now();
  const labels = Object.entries(topology.network.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
  await docker(["network", "create", "--driver", "bridge", ...labels, topology.network.name]);
  lab.networkCreated = true;
  await Promise.all(
    dockerVolumes(topology).map((v) =>
      docker(["volume", "create", ...Object.entries(v.labels).flatMap(([k, l]) => ["--label", `${k}=${l}`]), v.name]),
    ),
  );
  const created = new Map<string, Promise<void>>();
  const healthy = new Map<string, Promise<void>>();
  for (const spec of startOrder(topology.containers).flat()) {
    const after = spec.dependsOn.map((key) => (spec.waitsForDependencies ? created : healthy).get(key)!);
    const made = Promise.all(after).then(async () => {
      lab.started.push(spec.name);
      await docker(dockerRunArgs(topology, spec));
    });
    created.set(spec.key, made);
    healthy.set(
      spec.key,
      made.then(async () => {
        await waitHealthy(spec, topology.waitTimeoutSeconds);
        mark(`${spec.key} healthy`);
      }),
    );
  }
  await Promise.all(healthy.values());
  lab.secondsToHealthy = (Date.now() - started) / 1000;
  for (const step of topology.setup) mark(await runStep(step));
  lab.secondsToReady = (Date.now() - started) / 1000;
  return lab;
}

/** One setup step through its provider, as Pulumi would create it; returns the step's name for the timings. */
async function runStep(step: SetupStep): Promise<string> {
  if (!isSharedStep(step)) throw new Error("the docker run floor does not set up SCRAM users");
  const call = providerInputs(step, { clusterToken: "bench", password: "" });
  switch (call.kind) {
    case "topic":
      await providers.topicProvider.create!(call.inputs);
      return "topics";
    case "consumer-group-readiness":
      await providers.readinessProvider.create!(call.inputs);
      return "coordinator";
    case "connector":
      await restProviders.connectorProvider.create!(call.inputs);
      return "connectors";
    case "schema":
      await restProviders.schemaProvider.create!(call.inputs);
      return "schemas";
  }
}

/** `docker stop` (brokers first, with their grace period) and `docker rm -v`, then the network. */
export async function teardownWithCli(lab: CliLab): Promise<number> {
  const started = Date.now();
  for (const level of startOrder(lab.topology.containers).reverse()) {
    await Promise.all(
      level
        .filter((spec) => lab.started.includes(spec.name))
        .map(async (spec) => {
          await run("docker", ["stop", "--time", String(spec.stopGraceSeconds), spec.name]);
          await run("docker", ["rm", "--force", "--volumes", spec.name]);
        }),
    );
  }
  await Promise.all(dockerVolumes(lab.topology).map((volume) => run("docker", ["volume", "rm", volume.name])));
  if (lab.networkCreated) await run("docker", ["network", "rm", lab.topology.network.name]);
  return (Date.now() - started) / 1000;
}
