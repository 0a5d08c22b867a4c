// A second, independent Docker engine on this machine that only the network reaches, to prove kafka-lab against a
// remote engine: a network namespace of its own (kl-remote-<pid>), a veth pair whose two addresses (a /30 in
// 10.213.0.0/16) live only in that namespace and on its peer, and in the namespace
//   - dockerd (its own data root, exec root, pidfile, cgroup parent, bridge 10.214.x.1/24, address pools in
//     10.215.0.0/16, its own containerd under those roots) in a mount namespace of its own, so nothing it mounts
//     shows outside (its data root is a tmpfs there unless dataOnTmpfs: false), on its own unix socket and on
//     tcp://<address>:2376 with TLS that verifies clients (a throw-away CA, a server certificate for the address,
//     a client certificate);
//   - Debian's sshd on <address>:22 (its own /run, a tmpfs in its own mount namespace: it wants /run/sshd), key
//     only, for root, with DOCKER_HOST of that unix socket in the authorized key's environment=
//     (PermitUserEnvironment), so `ssh root@<address> docker system dial-stdio` reaches it; known_hosts and the
//     client key for this side.
// Teardown (stop(), and on exit, SIGINT or SIGTERM) removes everything by PID and name and then checks that nothing
// is left; sweepStaleEngines() does the same for what a killed run left behind.
//
//   npx tsx tests/e2e/remote-engine.ts [up] [--images IMAGE,...|--lab-images]   start one, print how to reach it,
//                                                                                tear it down on Enter or Ctrl-C
//   npx tsx tests/e2e/remote-engine.ts sweep                                     remove what dead runs left

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import engineModule, { type EngineSettings } from "../../infra/docker/docker-engine.cjs";
import { CLIENT_IMAGE, LOCAL_IMAGES } from "../../lib/local-images.js";
import { issue, makeCa } from "../support/tls-material.js";

/** The images a tutorial lab and its smoke tests run (they share the JRE image's layers). */
export const LAB_IMAGES = [
  "kafka-lab-local/jre:17",
  LOCAL_IMAGES.zookeeperImage,
  LOCAL_IMAGES.kafkaImage,
  CLIENT_IMAGE,
];

/** What teardown needs, also after a crash: written to <dir>/state.json as soon as each part exists. */
interface EngineState {
  name: string;
  dir: string;
  vethHost: string;
  vethNs: string;
  /** PIDs of dockerd and sshd as spawned (nsenter and unshare exec, so these are the daemons themselves). */
  dockerdPid?: number;
  sshdPid?: number;
  /** /run/containerd/s/<hash> sockets of the shims, computed from their -id and -address. */
  shimSockets: string[];
}

export interface RemoteEngine {
  /** Namespace name, also the cgroup parent and the temp dir's name. */
  name: string;
  dir: string;
  /** The engine's address (in the namespace) and this machine's end of the veth. */
  address: string;
  hostAddress: string;
  /** The engine as the transport reaches it: TLS (mutual), SSH, and its own unix socket (from this machine). */
  settings: { tls: EngineSettings; ssh: EngineSettings; unix: EngineSettings };
  /** PEMs and their files: the CA that signed the engine's certificate, the client's certificate and key. */
  tls: { ca: string; cert: string; key: string; caFile: string; certFile: string; keyFile: string };
  /** DOCKER_CERT_PATH for the docker CLI: ca.pem, cert.pem, key.pem. */
  certDir: string;
  /** ssh's options for this engine (key, known_hosts, no user config): the transport's and the provider's sshOpts. */
  ssh: { user: "root"; keyFile: string; knownHostsFile: string; opts: string[] };
  /**
   * Environment for the docker CLI: over TLS; over SSH (PATH starts with a folder whose `ssh` adds ssh.opts, since
   * the docker CLI's ssh takes no options).
   */
  env: { tls: Record<string, string>; ssh: Record<string, string> };
  startSeconds: number;
  /** docker save | docker load of these local images into the engine; resolves with the seconds it took. */
  loadImages(images: string[]): Promise<number>;
  /** Tears everything down and checks nothing is left (throws naming what is); resolves with the seconds it took. */
  stop(): Promise<number>;
}

const log0 = (line: string) => console.log(line);
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
let instances = 0;
/** Running docker save | docker load pipelines (process group leaders), ended by teardown. */
const loaders = new Set<number>();

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs and ignores failure (teardown of what may be gone already). */
function attempt(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    // A zombie (exited, not reaped yet) counts as gone.
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function writeState(state: EngineState): void {
  writeFileSync(join(state.dir, "state.json"), JSON.stringify(state, null, 2));
}

/** Installs Debian's openssh-server when sshd is missing, without starting the system's sshd. */
export function ensureOpenSshServer(log = log0): void {
  if (existsSync("/usr/sbin/sshd")) return;
  if (process.getuid?.() !== 0) throw new Error("sshd is missing: apt-get install openssh-server (as root)");
  log("remote engine: installing openssh-server from Debian's packages");
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  if (ownPolicy)
    writeFileSync(policy, "#!/bin/sh\n# kafka-lab: no service starts while openssh-server installs\nexit 101\n", {
      mode: 0o755,
    });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "openssh-server"], {
      env,
      stdio: "ignore",
    });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

/** A free /30 in 10.213.0.0/16 (no address or route of this machine in it), from the PID on. */
function chooseSubnet(): { third: number; fourth: number } {
  const used = run("ip", ["-4", "-o", "addr"]) + run("ip", ["-4", "route"]);
  for (let i = 0; i < 256 * 64; i++) {
    const slot = (process.pid * 7 + instances * 13 + i) % (256 * 64);
    const third = Math.floor(slot / 64);
    const fourth = (slot % 64) * 4;
    if (
      ![0, 1, 2, 3].some(
        (d) => used.includes(`10.213.${third}.${fourth + d}/`) || used.includes(`10.213.${third}.${fourth + d} `),
      )
    )
      return { third, fourth };
  }
  throw new Error("no free /30 in 10.213.0.0/16");
}

function makeNamespace(state: EngineState, net: { hostAddress: string; address: string }): void {
  run("ip", ["netns", "add", state.name]);
  run("ip", ["link", "add", state.vethHost, "type", "veth", "peer", "name", state.vethNs]);
  run("ip", ["link", "set", state.vethNs, "netns", state.name]);
  run("ip", ["addr", "add", `${net.hostAddress}/30`, "dev", state.vethHost]);
  run("ip", ["link", "set", state.vethHost, "up"]);
  run("ip", ["-n", state.name, "addr", "add", `${net.address}/30`, "dev", state.vethNs]);
  run("ip", ["-n", state.name, "link", "set", state.vethNs, "up"]);
  run("ip", ["-n", state.name, "link", "set", "lo", "up"]);
}

/** The CA, the engine's certificate for its address, the client's; DOCKER_CERT_PATH's three files. */
function makeTlsMaterial(dir: string, address: string) {
  const tlsDir = join(dir, "tls");
  mkdirSync(tlsDir);
  const ca = makeCa(tlsDir, "ca");
  const server = issue(ca, "engine", [address]);
  const client = issue(ca, "client");
  const certDir = join(dir, "docker-cert-path");
  mkdirSync(certDir);
  writeFileSync(join(certDir, "ca.pem"), ca.cert);
  writeFileSync(join(certDir, "cert.pem"), client.cert);
  writeFileSync(join(certDir, "key.pem"), client.key, { mode: 0o600 });
  return { ca, server, client, certDir };
}

/** Host key, client key, authorized_keys with the engine's DOCKER_HOST, known_hosts, sshd_config. */
function makeSshMaterial(dir: string, address: string, socket: string) {
  const sshDir = join(dir, "ssh");
  mkdirSync(sshDir, { mode: 0o700 });
  const key = (name: string) => {
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `kafka-lab ${name}`, "-f", join(sshDir, name)]);
    return readFileSync(join(sshDir, `${name}.pub`), "utf8").trim();
  };
  const hostKey = key("host_key");
  const clientKey = key("client_key");
  writeFileSync(join(sshDir, "authorized_keys"), `restrict,environment="DOCKER_HOST=unix://${socket}" ${clientKey}\n`);
  const knownHostsFile = join(sshDir, "known_hosts");
  writeFileSync(knownHostsFile, `${address} ${hostKey.split(" ").slice(0, 2).join(" ")}\n`);
  const config = [
    `ListenAddress ${address}:22`,
    `HostKey ${join(sshDir, "host_key")}`,
    `PidFile ${join(sshDir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(sshDir, "authorized_keys")}`,
    "AllowUsers root",
    "PermitRootLogin prohibit-password",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    // The files live in a temp dir under /tmp (world-writable), which strict modes refuse.
    "StrictModes no",
    "PermitUserEnvironment DOCKER_HOST",
    "AllowTcpForwarding no",
    "AllowAgentForwarding no",
    "X11Forwarding no",
    "PrintMotd no",
  ];
  writeFileSync(join(sshDir, "sshd_config"), `${config.join("\n")}\n`);
  const keyFile = join(sshDir, "client_key");
  const opts = ["-F", "none", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", `UserKnownHostsFile=${knownHostsFile}`];
  const binDir = join(dir, "bin");
  mkdirSync(binDir);
  const quoted = opts.map((o) => `'${o}'`).join(" ");
  writeFileSync(
    join(binDir, "ssh"),
    `#!/bin/sh
exec /usr/bin/ssh ${quoted} "$@"
`,
  );
  chmodSync(join(binDir, "ssh"), 0o755);
  return { sshDir, keyFile, knownHostsFile, opts, binDir };
}

/** Spawns a daemon in the namespace, in a private mount namespace, its output to a log file; returns its PID. */
function spawnInNamespace(state: EngineState, logName: string, command: string[]): number {
  const out = openSync(join(state.dir, logName), "a");
  const child = spawn(
    "nsenter",
    [`--net=/run/netns/${state.name}`, "--", "unshare", "--mount", "--propagation", "private", "--", ...command],
    { stdio: ["ignore", out, out], detached: true },
  );
  child.unref();
  if (!child.pid) throw new Error(`cannot start ${command[0]} in ${state.name}`);
  return child.pid;
}

function tail(file: string, lines = 15): string {
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n") : "(no log)";
}

async function waitFor(what: string, pid: number, logFile: string, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await ready().catch(() => false)) return;
    if (!alive(pid)) throw new Error(`${what} exited at start; its log:\n${tail(logFile)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not answer within 30 s; its log:\n${tail(logFile)}`);
}

function startDockerd(
  state: EngineState,
  net: { address: string; third: number },
  tlsDir: string,
  socket: string,
  onTmpfs: boolean,
): number {
  const { address, third } = net;
  const daemon = {
    "data-root": join(state.dir, "data"),
    "exec-root": join(state.dir, "exec"),
    pidfile: join(state.dir, "dockerd.pid"),
    hosts: [`unix://${socket}`, `tcp://${address}:2376`],
    tls: true,
    tlsverify: true,
    tlscacert: join(tlsDir, "ca.pem"),
    tlscert: join(tlsDir, "engine.pem"),
    tlskey: join(tlsDir, "engine-key.pem"),
    bip: `10.214.${third}.1/24`,
    "default-address-pools": [{ base: "10.215.0.0/16", size: 24 }],
    "cgroup-parent": state.name,
    "storage-driver": "overlay2",
  };
  writeFileSync(join(state.dir, "daemon.json"), JSON.stringify(daemon, null, 2));
  const config = join(state.dir, "daemon.json");
  if (!onTmpfs) return spawnInNamespace(state, "dockerd.log", ["dockerd", "--config-file", config]);
  // The data root on a tmpfs of dockerd's own mount namespace: it goes when the namespace does, at once.
  const script = 'mount -t tmpfs -o mode=700 kafka-lab-engine "$1" && exec dockerd --config-file "$2"';
  return spawnInNamespace(state, "dockerd.log", ["sh", "-c", script, "sh", daemon["data-root"], config]);
}

/** sshd with its own /run (it wants /run/sshd, which this machine need not have): a tmpfs in its mount namespace. */
function startSshd(state: EngineState, sshDir: string): number {
  const script =
    'mount -t tmpfs -o mode=755 kafka-lab-sshd /run && mkdir -m 755 /run/sshd && exec /usr/sbin/sshd -D -e -f "$1"';
  return spawnInNamespace(state, "sshd.log", ["sh", "-c", script, "sh", join(sshDir, "sshd_config")]);
}

function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/** Starts one; on failure everything it made is removed before the error is thrown. */
export interface RemoteEngineOptions {
  log?: (line: string) => void;
  /**
   * The engine's data root (images, containers, volumes) on a tmpfs in dockerd's own mount namespace (default): no
   * disk writes, and it is gone the moment dockerd is; false: a folder in the temp dir, removed by teardown.
   */
  dataOnTmpfs?: boolean;
}

export async function startRemoteEngine(options: RemoteEngineOptions = {}): Promise<RemoteEngine> {
  const log = options.log ?? log0;
  if (process.getuid?.() !== 0) throw new Error("the remote engine needs root (network namespaces, dockerd)");
  ensureOpenSshServer(log);
  sweepStaleEngines(log);
  const started = Date.now();
  const n = instances++;
  const name = n === 0 ? `kl-remote-${process.pid}` : `kl-remote-${process.pid}-${n}`;
  const short = `kr${process.pid.toString(36)}${n}`;
  const state: EngineState = {
    name,
    dir: join(tmpdir(), name),
    vethHost: `${short}h`,
    vethNs: `${short}n`,
    shimSockets: [],
  };
  mkdirSync(state.dir, { mode: 0o700 });
  writeState(state);
  const unguard = guard(state, log);
  try {
    const engine = await bringUp(state, options, log);
    const startSeconds = (Date.now() - started) / 1000;
    log(`remote engine ${name}: up in ${startSeconds.toFixed(1)} s at ${engine.address} (TLS :2376, SSH :22)`);
    return {
      ...engine,
      startSeconds,
      loadImages: (images) => loadImages(engine.settings.unix, images, log),
      stop: async () => {
        unguard();
        return teardown(state, log);
      },
    };
  } catch (error) {
    unguard();
    await teardown(state, log).catch((e: Error) => log(`remote engine ${name}: teardown after failure: ${e.message}`));
    throw error;
  }
}

async function bringUp(state: EngineState, options: RemoteEngineOptions, log: (line: string) => void) {
  const { third, fourth } = chooseSubnet();
  const hostAddress = `10.213.${third}.${fourth + 1}`;
  const address = `10.213.${third}.${fourth + 2}`;
  makeNamespace(state, { hostAddress, address });
  const socket = join(state.dir, "docker.sock");
  const material = makeTlsMaterial(state.dir, address);
  const ssh = makeSshMaterial(state.dir, address, socket);
  mkdirSync(join(state.dir, "data"));
  state.dockerdPid = startDockerd(state, { address, third }, material.ca.dir, socket, options.dataOnTmpfs !== false);
  writeState(state);
  state.sshdPid = startSshd(state, ssh.sshDir);
  writeState(state);
  const unix: EngineSettings = { host: `unix://${socket}` };
  const ping = async () => (await engineModule.request(unix, "GET", "/_ping")).status === 200;
  await waitFor("dockerd", state.dockerdPid, join(state.dir, "dockerd.log"), ping);
  await waitFor("sshd", state.sshdPid, join(state.dir, "sshd.log"), () => tcpAnswers(address, 22));
  log(`remote engine ${state.name}: dockerd pid ${state.dockerdPid}, sshd pid ${state.sshdPid}, logs in ${state.dir}`);
  const { ca, client } = material;
  return {
    name: state.name,
    dir: state.dir,
    address,
    hostAddress,
    settings: {
      tls: { host: `tcp://${address}:2376`, tls: { ca: ca.cert, cert: client.cert, key: client.key } },
      ssh: { host: `ssh://root@${address}`, sshOpts: ssh.opts },
      unix,
    },
    tls: {
      ca: ca.cert,
      cert: client.cert,
      key: client.key,
      caFile: ca.certFile,
      certFile: client.certFile,
      keyFile: client.keyFile,
    },
    certDir: material.certDir,
    ssh: { user: "root" as const, keyFile: ssh.keyFile, knownHostsFile: ssh.knownHostsFile, opts: ssh.opts },
    env: {
      tls: { DOCKER_HOST: `tcp://${address}:2376`, DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: material.certDir },
      ssh: { DOCKER_HOST: `ssh://root@${address}`, PATH: `${ssh.binDir}:${process.env.PATH ?? ""}` },
    },
  };
}

/** docker save (this machine's engine) | docker load (the remote one's unix socket). */
async function loadImages(unix: EngineSettings, images: string[], log: (line: string) => void): Promise<number> {
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      "bash",
      ["-o", "pipefail", "-c", 'docker save "${@:2}" | docker -H "$1" load -q', "load", unix.host, ...images],
      { stdio: ["ignore", "ignore", "pipe"], detached: true },
    );
    if (child.pid) loaders.add(child.pid);
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => {
      if (child.pid) loaders.delete(child.pid);
      if (code === 0) resolve();
      else reject(new Error(`loading ${images.join(", ")} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
  const seconds = (Date.now() - started) / 1000;
  log(`remote engine: loaded ${images.join(", ")} in ${seconds.toFixed(1)} s`);
  return seconds;
}

/** Tears down on exit, SIGINT and SIGTERM until the returned function is called. */
function guard(state: EngineState, log: (line: string) => void): () => void {
  const onExit = () => teardownSync(state, log);
  const onSignal = (signal: NodeJS.Signals) => {
    // Another handler (the e2e runner's, the CLI's) decides how the process ends, and the exit handler or stop()
    // then tears down; without one, tear down and end as the signal would.
    if (process.listenerCount(signal) > 1) return;
    log(`\n${signal}: removing remote engine ${state.name}`);
    teardownSync(state, log);
    unguard();
    process.kill(process.pid, signal);
  };
  process.on("exit", onExit);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const unguard = () => {
    process.off("exit", onExit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  return unguard;
}

/** Processes in the namespace (dockerd, containerd, shims, sshd and its sessions). */
function namespacePids(name: string): number[] {
  if (!existsSync(`/run/netns/${name}`)) return [];
  const out = spawnSync("ip", ["netns", "pids", name], { encoding: "utf8" }).stdout ?? "";
  return out.split("\n").filter(Boolean).map(Number);
}

/** A shim's socket, as containerd 1.6 names it: /run/containerd/s/sha256(<containerd address>/<namespace>/<id>). */
function shimSocketOf(pid: number): string | undefined {
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return undefined;
  }
  if (!args[0]?.includes("containerd-shim")) return undefined;
  const arg = (flag: string) => args[args.indexOf(flag) + 1];
  const [address, ns, id] = [arg("-address"), arg("-namespace"), arg("-id")];
  if (!address || !ns || !id) return undefined;
  return `/run/containerd/s/${createHash("sha256")
    .update(join(address, ns, id))
    .digest("hex")}`;
}

function describePid(pid: number): string {
  try {
    return `${pid} (${readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim().slice(0, 80)})`;
  } catch {
    return String(pid);
  }
}

function stopPid(pid: number | undefined, graceMs: number): void {
  if (!alive(pid)) return;
  process.kill(pid!, "SIGTERM");
  for (const until = Date.now() + graceMs; alive(pid) && Date.now() < until;) sleep(50);
  if (alive(pid)) process.kill(pid!, "SIGKILL");
  for (const until = Date.now() + 5000; alive(pid) && Date.now() < until;) sleep(50);
}

/** Cgroup dirs under the engine's cgroup parent, deepest first (cgroup v1: one tree per controller). */
function cgroupDirs(name: string): string[] {
  const dirs: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) walk(join(dir, entry.name));
    dirs.push(dir);
  };
  const root = "/sys/fs/cgroup";
  for (const dir of [...readdirSync(root).map((controller) => join(root, controller, name)), join(root, name)])
    if (existsSync(dir)) walk(dir);
  return [...new Set(dirs)];
}

function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
}

/** Everything the engine made, by PID and name; synchronous, so it also runs in exit and signal handlers. */
function teardownSync(state: EngineState, log: (line: string) => void): void {
  // Shims' sockets are known only while they run.
  for (const pid of namespacePids(state.name)) {
    const socket = shimSocketOf(pid);
    if (socket && !state.shimSockets.includes(socket)) state.shimSockets.push(socket);
  }
  // dockerd stops its containers and its containerd; then whatever is left in the namespace.
  const ms: Record<string, number> = {};
  const phase = (name: string, body: () => void) => {
    const at = Date.now();
    body();
    ms[name] = Date.now() - at;
  };
  for (const group of loaders) attempt("kill", ["-TERM", `-${group}`]);
  // A throw-away engine: its containers are killed, not stopped (dockerd would give each its stop timeout).
  phase("containers", () => {
    if (!alive(state.dockerdPid)) return;
    const host = ["-H", `unix://${join(state.dir, "docker.sock")}`];
    const ids = spawnSync("docker", [...host, "ps", "-aq"], { encoding: "utf8", timeout: 10_000 }).stdout?.trim();
    if (ids) spawnSync("docker", [...host, "rm", "-f", "-v", ...ids.split("\n")], { stdio: "ignore", timeout: 20_000 });
  });
  phase("dockerd", () => stopPid(state.dockerdPid, 20_000));
  phase("sshd", () => stopPid(state.sshdPid, 5000));
  phase("namespace processes", () => {
    const rest = namespacePids(state.name);
    if (rest.length > 0)
      log(`remote engine ${state.name}: still in the namespace: ${rest.map(describePid).join(", ")}`);
    for (const pid of rest) stopPid(pid, 2000);
  });
  phase("cgroups", () => {
    for (const dir of cgroupDirs(state.name)) {
      const procs = existsSync(join(dir, "cgroup.procs")) ? readFileSync(join(dir, "cgroup.procs"), "utf8") : "";
      for (const pid of procs.split("\n").filter(Boolean).map(Number)) stopPid(pid, 1000);
    }
    for (const dir of cgroupDirs(state.name)) attempt("rmdir", [dir]);
  });
  phase("mounts and sockets", () => {
    for (const socket of state.shimSockets) rmSync(socket, { force: true });
    for (const point of mountsUnder(state.dir).reverse())
      if (!attempt("umount", [point])) attempt("umount", ["-l", point]);
  });
  phase("veth and namespace", () => {
    if (existsSync(`/sys/class/net/${state.vethHost}`)) attempt("ip", ["link", "del", state.vethHost]);
    if (existsSync(`/run/netns/${state.name}`)) attempt("ip", ["netns", "del", state.name]);
  });
  phase("files", () => {
    // rm's own walk is faster than node's on the image layers; it never crosses into a mount left behind.
    if (mountsUnder(state.dir).length === 0) attempt("rm", ["-rf", "--one-file-system", state.dir]);
  });
  const total = Object.values(ms).reduce((a, b) => a + b, 0);
  const parts = Object.entries(ms)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
  log(`remote engine ${state.name}: torn down in ${total} ms (${parts})`);
}

/** What is left of the engine (empty when nothing). */
export function engineLeftovers(
  state: Pick<EngineState, "name" | "dir" | "vethHost" | "dockerdPid" | "sshdPid" | "shimSockets">,
): string[] {
  const left: string[] = [];
  if (
    run("ip", ["netns", "list"])
      .split("\n")
      .some((line) => line.split(" ")[0] === state.name)
  )
    left.push(`network namespace ${state.name}`);
  if (existsSync(`/sys/class/net/${state.vethHost}`)) left.push(`link ${state.vethHost}`);
  for (const [what, pid] of [
    ["dockerd", state.dockerdPid],
    ["sshd", state.sshdPid],
  ] as const)
    if (alive(pid)) left.push(`${what} (pid ${pid})`);
  for (const pid of namespacePids(state.name)) left.push(`process ${pid} in the namespace`);
  for (const dir of cgroupDirs(state.name)) left.push(`cgroup ${dir}`);
  for (const point of mountsUnder(state.dir)) left.push(`mount ${point}`);
  for (const socket of state.shimSockets) if (existsSync(socket)) left.push(`shim socket ${socket}`);
  if (existsSync(state.dir)) left.push(`folder ${state.dir}`);
  return left;
}

async function teardown(state: EngineState, log: (line: string) => void): Promise<number> {
  const started = Date.now();
  teardownSync(state, log);
  // Deleting a namespace ends its veth a moment later.
  let left = engineLeftovers(state);
  for (const until = Date.now() + 5000; left.length > 0 && Date.now() < until; left = engineLeftovers(state))
    await new Promise((resolve) => setTimeout(resolve, 100));
  if (left.length > 0) throw new Error(`remote engine ${state.name}: left behind: ${left.join("; ")}`);
  const seconds = (Date.now() - started) / 1000;
  log(`remote engine ${state.name}: nothing left (${seconds.toFixed(1)} s)`);
  return seconds;
}

/** Removes what runs of this harness whose process is gone left behind (a namespace, a folder). */
export function sweepStaleEngines(log = log0): string[] {
  const names = new Set<string>();
  const dead = (name: string) => /^kl-remote-\d+(-\d+)?$/.test(name) && !alive(Number(name.split("-")[2]));
  for (const line of spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout?.split("\n") ?? [])
    if (dead(line.split(" ")[0] ?? "")) names.add(line.split(" ")[0]!);
  for (const entry of readdirSync(tmpdir())) if (dead(entry)) names.add(entry);
  for (const name of names) {
    const dir = join(tmpdir(), name);
    const file = join(dir, "state.json");
    const state: EngineState = existsSync(file)
      ? (JSON.parse(readFileSync(file, "utf8")) as EngineState)
      : { name, dir, vethHost: "", vethNs: "", shimSockets: [] };
    log(`remote engine: removing ${name}, left by a run that is gone`);
    teardownSync(state, log);
  }
  return [...names];
}

async function cli(): Promise<void> {
  const [command = "up", ...rest] = process.argv.slice(2);
  if (command === "sweep") {
    const swept = sweepStaleEngines();
    console.log(swept.length === 0 ? "nothing to sweep" : `swept ${swept.join(", ")}`);
    return;
  }
  if (command !== "up") throw new Error(`unknown command ${command}: up [--images A,B | --lab-images] or sweep`);
  const flag = rest.indexOf("--images");
  const images = rest.includes("--lab-images") ? LAB_IMAGES : flag >= 0 ? (rest[flag + 1] ?? "").split(",") : [];
  const engine = await startRemoteEngine();
  try {
    if (images.length > 0) await engine.loadImages(images);
    const exports = (env: Record<string, string>) =>
      `export ${Object.entries(env)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(" ")}`;
    console.log(`\nTLS:  ${exports(engine.env.tls)}`);
    console.log(`SSH:  ${exports({ DOCKER_HOST: engine.env.ssh.DOCKER_HOST! })} PATH="${engine.dir}/bin:$PATH"`);
    console.log(`      (that folder's ssh adds: ${engine.ssh.opts.join(" ")})`);
    console.log(`unix: export DOCKER_HOST=${engine.settings.unix.host}`);
    console.log(`CA ${engine.tls.caFile}, client ${engine.tls.certFile} ${engine.tls.keyFile}`);
    console.log("\nPress Enter or Ctrl-C to tear it down.");
    await new Promise<void>((resolve) => {
      process.stdin.once("data", () => resolve());
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
  } finally {
    process.stdin.pause();
    await engine.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli().catch((error: Error) => {
    console.error(`remote engine: ${error.message}`);
    process.exit(1);
  });
}
