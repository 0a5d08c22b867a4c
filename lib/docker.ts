// A small client for the Docker Engine API over its unix socket, enough to realise a LabTopology the way
// the Pulumi Docker provider does (it calls the same endpoints), with the healthcheck passed as the exact
// "CMD" array rather than re-quoted through a shell.

import { createHash } from "node:crypto";
import { request } from "node:http";
import { LAB_LABEL, type ContainerSpec, type LabTopology, type NetworkSpec, type VolumeSpec } from "../../infra/topology.js";

const socketPath = (process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");
const NS_PER_SECOND = 1_000_000_000;

export class DockerApiError extends Error {
  constructor(readonly status: number, readonly path: string, body: string) {
    super(`Docker API ${path} answered ${status}: ${body.trim()}`);
  }
}

function call(method: string, path: string, body?: unknown): Promise<{ status: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({
      socketPath, method, path,
      headers: payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {},
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, data: Buffer.concat(chunks) }));
    });
    req.on("error", (error) => reject(new Error(`cannot reach the Docker engine at ${socketPath}: ${error.message}`)));
    if (payload) req.write(payload);
    req.end();
  });
}

export async function api<T = any>(method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<T> {
  const { status, data } = await call(method, path, body);
  if (status >= 400 && !okStatuses.includes(status)) throw new DockerApiError(status, path, data.toString());
  const text = data.toString();
  return (text && text.trim().startsWith("{") || text.trim().startsWith("[") ? JSON.parse(text) : text) as T;
}

export function labelFilter(labels: Record<string, string>): string {
  return encodeURIComponent(JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) }));
}

/** The body of POST /containers/create for a topology container: same fields as the Pulumi component sets. */
export function containerCreateBody(spec: ContainerSpec, networkName: string): Record<string, unknown> {
  const key = (internal: number) => `${internal}/tcp`;
  return {
    Image: spec.image,
    Hostname: spec.hostname,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: spec.labels,
    ExposedPorts: Object.fromEntries(spec.ports.map((p) => [key(p.internal), {}])),
    Healthcheck: {
      Test: spec.healthcheck.test,
      Interval: spec.healthcheck.intervalSeconds * NS_PER_SECOND,
      Timeout: spec.healthcheck.timeoutSeconds * NS_PER_SECOND,
      Retries: spec.healthcheck.retries,
      StartPeriod: spec.healthcheck.startPeriodSeconds * NS_PER_SECOND,
    },
    StopTimeout: spec.stopGraceSeconds,
    HostConfig: {
      NetworkMode: networkName,
      PortBindings: Object.fromEntries(spec.ports.map((p) => [key(p.internal), [{ HostIp: p.ip, HostPort: String(p.external) }]])),
      Memory: spec.memoryMb * 1024 * 1024,
      RestartPolicy: { Name: spec.restartPolicy },
      Mounts: spec.mounts.map((m) => ({ Type: "volume", Source: m.volume, Target: m.containerPath })),
    },
    NetworkingConfig: { EndpointsConfig: { [networkName]: { Aliases: spec.aliases } } },
  };
}

export async function createNetwork(spec: NetworkSpec): Promise<string> {
  const created = await api<{ Id: string }>("POST", "/networks/create", { Name: spec.name, Driver: "bridge", Labels: spec.labels, CheckDuplicate: true });
  return created.Id;
}

/** Creates a named volume; answers with the existing one when it is already there. */
export async function createVolume(spec: VolumeSpec): Promise<void> {
  await api("POST", "/volumes/create", { Name: spec.name, Labels: spec.labels });
}

export async function removeVolume(name: string): Promise<void> {
  await api("DELETE", `/volumes/${encodeURIComponent(name)}`, undefined, [404]);
}

/** Names of every volume on the engine, to spot anonymous volumes a lab leaves behind. */
export async function volumeNames(): Promise<Set<string>> {
  const volumes = await api<{ Volumes: Array<{ Name: string }> | null }>("GET", "/volumes");
  return new Set((volumes.Volumes ?? []).map((v) => v.Name));
}

export const SPEC_HASH_LABEL = "org.kafka-lab.spec-hash";

/** Hash of everything a container is created from: equal hashes mean nothing would change. */
export function specHash(spec: ContainerSpec, networkName: string): string {
  return createHash("sha256").update(JSON.stringify(containerCreateBody(spec, networkName))).digest("hex").slice(0, 16);
}

export async function createAndStart(spec: ContainerSpec, networkName: string): Promise<string> {
  const body = containerCreateBody(spec, networkName);
  body.Labels = { ...spec.labels, [SPEC_HASH_LABEL]: specHash(spec, networkName) };
  const created = await api<{ Id: string }>("POST", `/containers/create?name=${encodeURIComponent(spec.name)}`, body);
  await api("POST", `/containers/${created.Id}/start`);
  return created.Id;
}

export interface ExistingContainer {
  id: string;
  running: boolean;
  specHash: string | undefined;
}

/** The container of that name, if any. */
export async function findContainer(name: string): Promise<ExistingContainer | undefined> {
  const { status, data } = await call("GET", `/containers/${encodeURIComponent(name)}/json`);
  if (status === 404) return undefined;
  if (status >= 400) throw new DockerApiError(status, `/containers/${name}/json`, data.toString());
  const info = JSON.parse(data.toString());
  return { id: info.Id, running: info.State.Running, specHash: info.Config.Labels?.[SPEC_HASH_LABEL] };
}

/** The network of that name, if any. */
export async function findNetwork(name: string): Promise<string | undefined> {
  const { status, data } = await call("GET", `/networks/${encodeURIComponent(name)}`);
  if (status === 404) return undefined;
  return JSON.parse(data.toString()).Id as string;
}

export interface ContainerState {
  status: string;
  health: string | undefined;
  exitCode: number;
}

export async function inspectState(id: string): Promise<ContainerState> {
  const info = await api("GET", `/containers/${id}/json`);
  return { status: info.State.Status, health: info.State.Health?.Status, exitCode: info.State.ExitCode };
}

/** Last lines of a container's log (the API multiplexes stdout and stderr in 8-byte-framed chunks). */
export async function logsTail(id: string, lines = 30): Promise<string> {
  const { data } = await call("GET", `/containers/${id}/logs?stdout=1&stderr=1&tail=${lines}`);
  const out: Buffer[] = [];
  for (let offset = 0; offset + 8 <= data.length;) {
    const size = data.readUInt32BE(offset + 4);
    out.push(data.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(out).toString();
}

export async function stopContainer(id: string, graceSeconds: number): Promise<void> {
  await api("POST", `/containers/${id}/stop?t=${graceSeconds}`, undefined, [304, 404]);
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

/** Resident memory of a running container in MiB (cgroup v1 rss, else usage minus cache). */
export async function containerRssMb(id: string): Promise<number> {
  const stats = await api("GET", `/containers/${id}/stats?stream=false`);
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
  const { status } = await call("GET", `/images/${encodeURIComponent(name)}/json`);
  return status === 200;
}

/** Names of the containers, networks and volumes of a lab (by its label). */
export async function leftoversOf(labName: string): Promise<string[]> {
  return findLabelled({ [LAB_LABEL]: labName });
}

/** Removes whatever carries this lab's label (a run that was killed may have left it). */
export async function removeLabelled(labName: string, log: (line: string) => void): Promise<void> {
  const filter = labelFilter({ [LAB_LABEL]: labName });
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
