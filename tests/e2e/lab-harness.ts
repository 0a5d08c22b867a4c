// Realises a LabTopology on the Docker engine: the network, the containers in dependency order (each
// waited on until its healthcheck says healthy, as `wait: true` does under Pulumi), then the topics and the
// consumer-group readiness through the same providers Pulumi runs. Tears everything down again, also after a failure.

import { createServer } from "node:net";
import type { LabTopology, ContainerSpec } from "../../infra/topology.js";
import {
  createAndStart, createNetwork, createVolume, findContainer, findLabelled, findNetwork, removeVolume, specHash, inspectState, logsTail, removeContainer, removeNetwork, stopContainer,
  api, labelFilter,
} from "../../scripts/lib/docker-api.js";
import kafkaProviders from "../../infra/kafka-providers.cjs";

type Provider = { create(inputs: Record<string, unknown>): Promise<{ outs: Record<string, unknown> }> };
const { topicProvider, readinessProvider, scramUserProvider } = kafkaProviders as Record<"topicProvider" | "readinessProvider" | "scramUserProvider", Provider>;

export type Log = (line: string) => void;

export interface RunningLab {
  topology: LabTopology;
  networkId: string | undefined;
  /** Container key to container ID, in creation order. */
  containerIds: Map<string, string>;
  /** What this realisation did to each container: created anew, or found unchanged and kept. */
  created: string[];
  unchanged: string[];
  /** Seconds from the first API call until every container was healthy. */
  secondsToHealthy: number;
  /** Seconds until the topics existed as well. */
  secondsToReady: number;
}

const POLL_MS = 1000;
const PROGRESS_EVERY_MS = 5000;

/** Containers grouped so that each group depends only on earlier groups; a group starts in parallel. */
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

/** Polls the container until its healthcheck says healthy; fails when it exits for good, turns unhealthy or times out. */
export async function waitHealthy(spec: ContainerSpec, id: string, timeoutSeconds: number, log: Log, pollMs = POLL_MS): Promise<void> {
  const started = Date.now();
  let lastProgress = started;
  for (;;) {
    const state = await inspectState(id);
    if (state.health === "healthy") {
      log(`  ${spec.key} healthy after ${((Date.now() - started) / 1000).toFixed(1)}s`);
      return;
    }
    // A container that exits is a failure unless its restart policy brings it back (Docker then shows
    // "restarting"); a running one that its healthcheck gave up on is a failure.
    const comesBack = spec.restartPolicy !== "no" && (spec.restartPolicy !== "on-failure" || state.exitCode !== 0);
    const stopped = state.status === "exited" || state.status === "dead";
    if ((stopped && !comesBack) || (state.status === "running" && state.health === "unhealthy")) {
      const tail = await logsTail(id, 40);
      throw new Error(`${spec.key} (${spec.name}) is ${state.health ?? state.status} (exit code ${state.exitCode}); last log lines:\n${tail}`);
    }
    const elapsed = Date.now() - started;
    if (elapsed > timeoutSeconds * 1000) {
      const tail = await logsTail(id, 40);
      throw new Error(`${spec.key} not healthy after ${timeoutSeconds}s (status ${state.status}, health ${state.health}); last log lines:\n${tail}`);
    }
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      log(`  waiting for ${spec.key}: ${state.health ?? state.status} (${Math.round(elapsed / 1000)}s)`);
      lastProgress = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Removes whatever carries this lab's label (a run that was killed may have left it). */
export async function removeLabelled(labName: string, log: Log): Promise<void> {
  const filter = labelFilter({ "org.kafka-lab.lab": labName });
  const containers = await api<Array<{ Id: string; Names: string[] }>>("GET", `/containers/json?all=1&filters=${filter}`);
  for (const c of containers) {
    log(`  removing leftover container ${c.Names[0]}`);
    await removeContainer(c.Id);
  }
  const networks = await api<Array<{ Id: string; Name: string }>>("GET", `/networks?filters=${filter}`);
  for (const n of networks) {
    log(`  removing leftover network ${n.Name}`);
    await removeNetwork(n.Id);
  }
  const volumes = await api<{ Volumes: Array<{ Name: string }> | null }>("GET", `/volumes?filters=${filter}`);
  for (const v of volumes.Volumes ?? []) {
    log(`  removing leftover volume ${v.Name}`);
    await removeVolume(v.Name);
  }
}

/** Refuses to start when a host port the lab publishes is taken, naming the port and who wanted it. */
export async function assertPortsFree(topology: LabTopology, skip: Set<string> = new Set()): Promise<void> {
  for (const spec of topology.containers.filter((c) => !skip.has(c.name))) {
    for (const port of spec.ports) {
      const problem = await new Promise<string | undefined>((resolve) => {
        const server = createServer();
        server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code));
        server.listen(port.external, port.ip, () => server.close(() => resolve(undefined)));
      });
      if (problem) {
        throw new Error(`host port ${port.ip}:${port.external} for ${spec.key} is not free (${problem}); ` +
          `another lab or program holds it (docker ps --filter publish=${port.external}) or choose another outsidePort`);
      }
    }
  }
}

/** Names of this lab's containers that already run (their ports are theirs, not a clash). */
async function runningLabContainers(topology: LabTopology): Promise<string[]> {
  const names = [];
  for (const spec of topology.containers) if ((await findContainer(spec.name))?.running) names.push(spec.name);
  return names;
}

/**
 * Brings the lab to the topology, as `pulumi up` does: creates what is missing, replaces what differs,
 * keeps what already matches, then waits for health and ensures topics and consumer-group readiness.
 */
export interface RealiseOptions {
  /** Create topics and wait for consumer groups (off for a lab whose OUTSIDE listener is broken on purpose). */
  kafkaSetup?: boolean;
  /** The SCRAM password when the topology authenticates on OUTSIDE (config's outsidePassword). */
  password?: string;
}

export async function realiseLab(topology: LabTopology, log: Log, running: Partial<RunningLab> = {}, { kafkaSetup = true, password = "" }: RealiseOptions = {}): Promise<RunningLab> {
  await assertPortsFree(topology, new Set(await runningLabContainers(topology)));
  const started = Date.now();
  const lab: RunningLab = Object.assign(running, {
    topology, networkId: undefined, containerIds: new Map<string, string>(), created: [], unchanged: [], secondsToHealthy: 0, secondsToReady: 0,
  });
  lab.networkId = await findNetwork(topology.network.name);
  if (lab.networkId === undefined) {
    lab.networkId = await createNetwork(topology.network);
    log(`  network ${topology.network.name} created`);
  }
  for (const volume of topology.volumes) await createVolume(volume);
  if (topology.volumes.length > 0) log(`  volumes ${topology.volumes.map((v) => v.name).join(", ")} ready`);
  for (const level of startOrder(topology.containers)) {
    await Promise.all(level.map(async (spec) => {
      // Like `pulumi up`: a running container created from the same spec is left alone; anything else is replaced.
      const existing = await findContainer(spec.name);
      if (existing?.running && existing.specHash === specHash(spec, topology.network.name)) {
        lab.containerIds.set(spec.key, existing.id);
        lab.unchanged.push(spec.key);
        return;
      }
      if (existing) {
        log(`  ${spec.key}: replacing ${existing.running ? "a changed" : "a stopped"} container`);
        await removeContainer(existing.id);
      }
      const id = await createAndStart(spec, topology.network.name);
      lab.containerIds.set(spec.key, id);
      lab.created.push(spec.key);
      log(`  ${spec.key} started as ${spec.name} (${spec.image})`);
    }));
    await Promise.all(level.map((spec) => waitHealthy(spec, lab.containerIds.get(spec.key)!, topology.waitTimeoutSeconds, log)));
  }
  lab.secondsToHealthy = (Date.now() - started) / 1000;
  if (!kafkaSetup) return lab;
  const { scramUser } = topology;
  if (scramUser) {
    await scramUserProvider.create({ ...scramUser, password, clusterToken: "e2e" });
    log(`  SCRAM user ${scramUser.username} (${scramUser.mechanism}) created`);
  }
  const sasl = scramUser ? { mechanism: scramUser.mechanism.toLowerCase(), username: scramUser.username, password } : undefined;
  for (const topic of topology.topics) {
    await topicProvider.create({ ...topic, bootstrapServers: topology.outputs.bootstrapServers, clusterToken: "e2e", sasl });
    log(`  topic ${topic.name} created (${topic.partitions} partition(s), replication ${topic.replicationFactor})`);
  }
  const readiness = await readinessProvider.create({ bootstrapServers: topology.outputs.bootstrapServers, clusterToken: "e2e", sasl });
  log(`  consumer groups: coordinator answered after ${readiness.outs.secondsToCoordinator}s`);
  lab.secondsToReady = (Date.now() - started) / 1000;
  return lab;
}

/**
 * Stops brokers before ZooKeeper (reverse start order) with their grace period, then removes everything;
 * with keepVolumes the named volumes stay (to re-create the containers on them).
 */
export async function teardownLab(lab: Partial<RunningLab> & { topology: LabTopology }, log: Log, { keepVolumes = false } = {}): Promise<number> {
  const started = Date.now();
  const ids = lab.containerIds ?? new Map<string, string>();
  for (const level of startOrder(lab.topology.containers).reverse()) {
    await Promise.all(level.filter((spec) => ids.has(spec.key)).map(async (spec) => {
      await stopContainer(ids.get(spec.key)!, spec.stopGraceSeconds);
      await removeContainer(ids.get(spec.key)!);
    }));
  }
  if (lab.networkId) await removeNetwork(lab.networkId);
  if (!keepVolumes) {
    for (const volume of lab.topology.volumes) await removeVolume(volume.name);
    await removeLabelled(lab.topology.labName, log);
  }
  const seconds = (Date.now() - started) / 1000;
  log(`  lab ${lab.topology.labName} torn down in ${seconds.toFixed(1)}s`);
  return seconds;
}

export async function leftoversOf(labName: string): Promise<string[]> {
  return findLabelled({ "org.kafka-lab.lab": labName });
}
