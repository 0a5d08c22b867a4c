// The Docker Engine client of the scripts, smoke tests, tests and benchmark (its transport, docker-engine.cjs, is
// the one the dynamic providers use too): containers, networks, volumes and images by name or label, health,
// logs, memory, and what a lab leaves behind. Every function here talks to one engine: the one DOCKER_HOST,
// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH name (as the docker CLI reads them), unless useEngine() named another.

import { LAB_LABEL, type LabTopology } from "../infra/model/topology.js";
import {
  demultiplex,
  engineFromEnv,
  openEngine,
  type Engine,
  type EngineResponse,
  type EngineSettings,
  type ExecResult,
} from "../infra/docker/docker-engine.cjs";

export type { EngineSettings } from "../infra/docker/docker-engine.cjs";

let current: Engine | undefined;

/** The engine every function here uses: from the environment unless useEngine() set one. */
export function dockerEngine(): Engine {
  current ??= openEngine(engineFromEnv());
  return current;
}

/** Makes every function here talk to that engine (closing the connections to the previous one). */
export function useEngine(settings: EngineSettings): void {
  const next = openEngine(settings);
  current?.close();
  current = next;
}

function request(method: string, path: string, body?: unknown): Promise<EngineResponse> {
  return dockerEngine().request(method, path, body);
}

/** Runs a command in a running container and waits for it (its exit code and its output, stdout and stderr). */
export function execIn(container: string, cmd: string[], env: string[] = []): Promise<ExecResult> {
  return dockerEngine().exec(container, cmd, env);
}

export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    body: string,
  ) {
    super(`Docker API ${path} answered ${status}: ${body.trim()}`);
  }
}

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  okStatuses: number[] = [],
): Promise<T> {
  const { status, data } = await request(method, path, body);
  if (status >= 400 && !okStatuses.includes(status)) throw new DockerApiError(status, path, data.toString());
  const text = data.toString().trim();
  return (text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text) as T;
}

export function labelFilter(labels: Record<string, string>): string {
  return encodeURIComponent(JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) }));
}

export interface ExistingContainer {
  id: string;
  running: boolean;
}

/** The container of that name, if any. */
export async function findContainer(name: string): Promise<ExistingContainer | undefined> {
  const { status, data } = await request("GET", `/containers/${encodeURIComponent(name)}/json`);
  if (status === 404) return undefined;
  if (status >= 400) throw new DockerApiError(status, `/containers/${name}/json`, data.toString());
  const info = JSON.parse(data.toString());
  return { id: info.Id, running: info.State.Running };
}

export async function removeVolume(name: string): Promise<void> {
  await api("DELETE", `/volumes/${encodeURIComponent(name)}`, undefined, [404]);
}

/** Names of every volume on the engine, to spot anonymous volumes a lab leaves behind. */
export async function volumeNames(): Promise<Set<string>> {
  const volumes = await api<{ Volumes: Array<{ Name: string }> | null }>("GET", "/volumes");
  return new Set((volumes.Volumes ?? []).map((v) => v.Name));
}

export interface ContainerState {
  status: string;
  health: string | undefined;
  exitCode: number;
}

/** The parts of GET /containers/{id}/json that the checks read. */
export interface ContainerInspect {
  Id: string;
  Args: string[];
  RestartCount: number;
  State: { Status: string; Running: boolean; ExitCode: number; Health?: { Status: string } };
  Config: { Env: string[]; Cmd: string[] | null; Labels: Record<string, string> | null; StopTimeout?: number };
  HostConfig: { Memory: number; MemorySwap: number; RestartPolicy: { Name: string } };
}

export function inspectContainer(id: string): Promise<ContainerInspect> {
  return api<ContainerInspect>("GET", `/containers/${id}/json`);
}

export async function inspectState(id: string): Promise<ContainerState> {
  const info = await inspectContainer(id);
  return { status: info.State.Status, health: info.State.Health?.Status, exitCode: info.State.ExitCode };
}

/** Last lines of a container's log, stdout and stderr. */
export async function logsTail(id: string, lines = 30): Promise<string> {
  const { data } = await request("GET", `/containers/${id}/logs?stdout=1&stderr=1&tail=${lines}`);
  return demultiplex(data);
}

export async function stopContainer(id: string, graceSeconds: number): Promise<void> {
  await api("POST", `/containers/${id}/stop?t=${graceSeconds}`, undefined, [304, 404]);
}

/** SIGKILL, as a crash would end it (docker kill): its restart policy does not bring it back. */
export async function killContainer(id: string): Promise<void> {
  await api("POST", `/containers/${id}/kill`, undefined, [409]);
}

/** Starts a stopped container again (304: it already runs). Docker resets its health to "starting". */
export async function startContainer(id: string): Promise<void> {
  await api("POST", `/containers/${id}/start`, undefined, [304]);
}

export async function removeContainer(id: string): Promise<void> {
  await api("DELETE", `/containers/${id}?force=true&v=true`, undefined, [404]);
}

export async function removeNetwork(id: string): Promise<void> {
  await api("DELETE", `/networks/${id}`, undefined, [404]);
}

/** The parts of GET /containers/{id}/stats that the checks and the benchmark read. */
export interface ContainerStats {
  memory_stats?: { usage?: number; stats?: { rss?: number; anon?: number; cache?: number } };
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
}

export function containerStats(id: string): Promise<ContainerStats> {
  return api<ContainerStats>("GET", `/containers/${id}/stats?stream=false`);
}

/** Resident memory of a running container in MiB (cgroup v1 rss, else usage minus cache). */
export async function containerRssMb(id: string): Promise<number> {
  const stats = await containerStats(id);
  const m = stats.memory_stats ?? {};
  const rss = m.stats?.rss ?? m.stats?.anon ?? (m.usage ?? 0) - (m.stats?.cache ?? 0);
  return Math.round(rss / (1024 * 1024));
}

/** Names of containers, networks and volumes that carry all the given labels. */
export async function findLabelled(labels: Record<string, string>): Promise<string[]> {
  const filter = labelFilter(labels);
  const containers = await api<Array<{ Names: string[] }>>("GET", `/containers/json?all=1&filters=${filter}`);
  const networks = await api<Array<{ Name: string }>>("GET", `/networks?filters=${filter}`);
  const volumes = await api<{ Volumes: Array<{ Name: string }> | null }>("GET", `/volumes?filters=${filter}`);
  return [
    ...containers.map((c) => `container ${c.Names[0]?.replace(/^\//, "")}`),
    ...networks.map((n) => `network ${n.Name}`),
    ...(volumes.Volumes ?? []).map((v) => `volume ${v.Name}`),
  ];
}

export async function imageExists(name: string): Promise<boolean> {
  const { status } = await request("GET", `/images/${encodeURIComponent(name)}/json`);
  return status === 200;
}

/** Names of the containers, networks and volumes of a lab (by its label). */
export async function leftoversOf(labName: string): Promise<string[]> {
  return findLabelled({ [LAB_LABEL]: labName });
}

/** Removes whatever carries this lab's label (a run that was killed may have left it). */
export async function removeLabelled(labName: string, log: (line: string) => void): Promise<void> {
  const filter = labelFilter({ [LAB_LABEL]: labName });
  const containers = await api<Array<{ Id: string; Names: string[] }>>(
    "GET",
    `/containers/json?all=1&filters=${filter}`,
  );
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

/** Container key to the ID of the container the engine runs under the topology's name; throws when one is missing. */
export async function containerIdsOf(topology: LabTopology): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const spec of topology.containers) {
    const found = await findContainer(spec.name);
    if (!found) throw new Error(`container ${spec.name} (${spec.key}) does not exist`);
    ids.set(spec.key, found.id);
  }
  return ids;
}

/** Gives an image a second name (docker tag). */
export async function tagImage(image: string, name: string): Promise<void> {
  const colon = name.lastIndexOf(":");
  const [repo, tag] = colon > name.lastIndexOf("/") ? [name.slice(0, colon), name.slice(colon + 1)] : [name, "latest"];
  await api(
    "POST",
    `/images/${encodeURIComponent(image)}/tag?repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`,
  );
}
