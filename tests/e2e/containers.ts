// The containers of a lab that `pulumi up` made, seen through the Docker engine: their IDs, their health, a
// restart in place, and whatever of a lab is left behind.

import type { RestartPolicy } from "../../infra/model/config.js";
import { startOrder, type ContainerSpec, type LabTopology } from "../../infra/model/topology.js";
import { inspectContainer, inspectState, logsTail, startContainer, stopContainer } from "../../lib/docker.js";

export { containerIdsOf, leftoversOf, removeLabelled } from "../../lib/docker.js";

export type Log = (line: string) => void;

const POLL_MS = 1000;
const PROGRESS_EVERY_MS = 5000;

/** Polls the container until its healthcheck says healthy; fails when it exits for good, turns unhealthy or times out. */
export async function waitHealthy(
  spec: ContainerSpec,
  restartPolicy: RestartPolicy,
  id: string,
  timeoutSeconds: number,
  log: Log,
  pollMs = POLL_MS,
): Promise<void> {
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
    const comesBack = restartPolicy !== "no" && (restartPolicy !== "on-failure" || state.exitCode !== 0);
    const stopped = state.status === "exited" || state.status === "dead";
    if ((stopped && !comesBack) || (state.status === "running" && state.health === "unhealthy")) {
      throw new Error(
        `${spec.key} (${spec.name}) is ${state.health ?? state.status} (exit code ${state.exitCode}); last log lines:\n${await logsTail(id, 40)}`,
      );
    }
    const elapsed = Date.now() - started;
    if (elapsed > timeoutSeconds * 1000) {
      throw new Error(
        `${spec.key} not healthy after ${timeoutSeconds}s (status ${state.status}, health ${state.health}); last log lines:\n${await logsTail(id, 40)}`,
      );
    }
    if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
      log(`  waiting for ${spec.key}: ${state.health ?? state.status} (${Math.round(elapsed / 1000)}s)`);
      lastProgress = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Restarts every container in place: stops them brokers first (reverse start order) with their grace
 * period, starts them again in start order, each level waited on until healthy. The containers stay the same.
 */
export async function restartInPlace(topology: LabTopology, ids: Map<string, string>, log: Log): Promise<void> {
  const levels = startOrder(topology.containers);
  const stopStarted = Date.now();
  for (const level of [...levels].reverse()) {
    await Promise.all(level.map((spec) => stopContainer(ids.get(spec.key)!, spec.stopGraceSeconds)));
  }
  log(
    `  stopped every container (docker stop, grace ${topology.containers.map((c) => `${c.key} ${c.stopGraceSeconds}s`).join(", ")}) in ${((Date.now() - stopStarted) / 1000).toFixed(1)}s`,
  );
  const startStarted = Date.now();
  for (const level of levels) {
    await Promise.all(level.map((spec) => startContainer(ids.get(spec.key)!)));
    await Promise.all(
      level.map((spec) =>
        waitHealthy(spec, topology.config.restartPolicy, ids.get(spec.key)!, topology.waitTimeoutSeconds, log),
      ),
    );
  }
  log(`  started them again: every container healthy after ${((Date.now() - startStarted) / 1000).toFixed(1)}s`);
}

/**
 * Every container runs what the topology declares: each env var with its value, and the memory limit. What a
 * provider that dropped or ignored a changed input would get wrong after an update.
 */
export async function expectContainersAsDeclared(topology: LabTopology, ids: Map<string, string>): Promise<string> {
  for (const spec of topology.containers) {
    const info = await inspectContainer(ids.get(spec.key)!);
    const env = new Set(info.Config.Env);
    const missing = Object.entries(spec.env)
      .map(([key, value]) => `${key}=${value}`)
      .filter((pair) => !env.has(pair));
    if (missing.length > 0)
      throw new Error(`${spec.key} runs without ${missing.map((m) => m.split("=")[0]).join(", ")} as declared`);
    const memoryMb = info.HostConfig.Memory / (1024 * 1024);
    if (memoryMb !== spec.memoryMb)
      throw new Error(`${spec.key}: memory limit ${memoryMb} MiB, declared ${spec.memoryMb}`);
  }
  const heaps = topology.containers.map((c) => `${c.key} ${c.env.KAFKA_HEAP_OPTS ?? "-"} in ${c.memoryMb} MiB`);
  return `every container runs its declared env and memory (${heaps.join(", ")})`;
}
