// The Docker Engine API, on a local unix socket, over TCP with TLS, or over SSH: one request, an exec, and the
// demultiplexing of an exec's or a log's output. The one transport to the engine: the dynamic providers
// (kafka-providers.cjs) use it, and lib/docker.ts, the typed client of everything else, builds on it.
//
// Which engine is an explicit, serialisable input (docker-engine.d.cts: EngineSettings):
//   { host: "unix:///var/run/docker.sock" }
//   { host: "tcp://box:2376", tls: { ca, cert, key } }   PEM strings; the engine is always verified against `ca`
//   { host: "tcp://box:2375", insecure: true }            plain HTTP, only when asked for by name
//   { host: "ssh://user@box[:port]", sshOpts: [...] }     the local ssh running `docker system dial-stdio` there
// engineFromEnv() derives them from DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the docker CLI does,
// except that it never skips verifying an engine (the CLI's and the Go client's DOCKER_CERT_PATH without
// DOCKER_TLS_VERIFY, and upstream terraform-provider-docker's cert and key without a CA, do): TLS without a CA and
// tcp:// without TLS are refused, with what to set instead.
//
// Plain CommonJS with nothing at module level but functions and require(), because Pulumi serialises what the
// providers capture (a module-level Set or Map arrives as a plain object).
"use strict";

const childProcess = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const stream = require("node:stream");
const tls = require("node:tls");

function defaultHost() {
  return "unix:///var/run/docker.sock";
}

/** How long to wait for the engine's socket (and ssh's ConnectTimeout), as the docker CLI does: 30 s. */
function connectTimeoutSeconds() {
  return 30;
}

/**
 * Engine settings as the docker CLI reads them from the environment: DOCKER_HOST (else the local socket); for a
 * tcp:// host, TLS when DOCKER_TLS_VERIFY is set (to anything), with ca.pem, cert.pem and key.pem from
 * DOCKER_CERT_PATH (else ~/.docker). A tcp:// host without DOCKER_TLS_VERIFY gets no TLS settings, which
 * openEngine refuses (the CLI would speak plain HTTP).
 */
function engineFromEnv(env) {
  const vars = env || process.env;
  const given = vars.DOCKER_HOST || defaultHost();
  const host = given.includes("://") ? given : `tcp://${given}`;
  if (!host.startsWith("tcp://") || !vars.DOCKER_TLS_VERIFY) return { host };
  const dir = vars.DOCKER_CERT_PATH || path.join(os.homedir(), ".docker");
  const settings = { host, tls: {} };
  for (const [field, file] of [
    ["ca", "ca.pem"],
    ["cert", "cert.pem"],
    ["key", "key.pem"],
  ]) {
    const pem = readIfThere(path.join(dir, file));
    if (pem !== undefined) settings.tls[field] = pem;
  }
  return settings;
}

function readIfThere(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    if (error && error.code === "ENOENT") return undefined;
    throw error;
  }
}

/** The host without credentials, and how it is secured: for messages. */
function describeEngine(settings) {
  const given = settings && typeof settings.host === "string" ? settings.host : String(settings && settings.host);
  const host = given.replace(/\/\/([^/@:]*):[^/@]*@/, "//$1:[secret]@");
  if (host.startsWith("tcp://")) return `${host} (${settings.insecure ? "plain HTTP" : "TLS"})`;
  return host;
}

/** Why these settings cannot be used (one sentence naming the setting), or undefined when they can. */
function engineProblem(settings) {
  try {
    targetOf(settings);
    return undefined;
  } catch (error) {
    return error.message;
  }
}

/** Where to connect and how: { kind: "unix", socketPath } | { kind: "tcp", host, port, tls? } | { kind: "ssh", args }. */
function targetOf(settings) {
  if (!settings || typeof settings.host !== "string" || settings.host === "") {
    throw new Error(
      "the Docker engine settings need a host: unix:///var/run/docker.sock, tcp://HOST:2376 (TLS) or ssh://USER@HOST",
    );
  }
  const host = settings.host;
  const scheme = host.slice(0, host.indexOf("://") + 3);
  const name = describeEngine(settings);
  if (scheme !== "tcp://" && (settings.tls !== undefined || settings.insecure !== undefined)) {
    throw new Error(`Docker host ${name}: tls and insecure apply to tcp:// hosts only`);
  }
  if (scheme !== "ssh://" && settings.sshOpts !== undefined) {
    throw new Error(`Docker host ${name}: sshOpts apply to ssh:// hosts only`);
  }
  if (scheme === "unix://") return { kind: "unix", socketPath: host.slice("unix://".length) || "/var/run/docker.sock" };
  if (scheme === "tcp://") return tcpTarget(settings, name);
  if (scheme === "ssh://") return sshTarget(settings, name);
  throw new Error(
    `Docker host ${JSON.stringify(host)} is not supported: use unix://PATH, tcp://HOST:PORT (TLS) or ssh://[USER@]HOST[:PORT]`,
  );
}

function urlOf(host, name) {
  try {
    return new URL(host);
  } catch {
    throw new Error(`Docker host ${name} is not a valid URL`);
  }
}

function tcpTarget(settings, name) {
  const url = urlOf(settings.host, name);
  if (url.pathname !== "" && url.pathname !== "/") throw new Error(`Docker host ${name}: a path is not supported`);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const given = settings.tls;
  if (settings.insecure === true) {
    if (given !== undefined) throw new Error(`Docker host ${name}: insecure (plain HTTP) and tls exclude each other`);
    return { kind: "tcp", host: hostname, port: Number(url.port || 2375) };
  }
  if (settings.insecure !== undefined && settings.insecure !== false) {
    throw new Error(`Docker host ${name}: insecure must be true or false`);
  }
  if (given === undefined || given === null) {
    throw new Error(
      `Docker host ${name} has no TLS settings: give tls.ca (the CA that signed the engine's certificate) and, for ` +
        "mutual TLS, tls.cert and tls.key (from the environment: DOCKER_TLS_VERIFY=1 with ca.pem, cert.pem and " +
        "key.pem in DOCKER_CERT_PATH), or ask for plain HTTP with insecure: true (whoever reaches that port can run " +
        "containers as root there)",
    );
  }
  if (typeof given.ca !== "string" || given.ca.trim() === "") {
    throw new Error(
      `Docker host ${name}: TLS without a CA is refused, since the engine could not be verified: give tls.ca, the ` +
        "PEM of the CA that signed the engine's certificate (from the environment: ca.pem in DOCKER_CERT_PATH, " +
        "else ~/.docker)",
    );
  }
  if ((given.cert === undefined) !== (given.key === undefined)) {
    throw new Error(`Docker host ${name}: tls.cert and tls.key go together (the client's certificate and its key)`);
  }
  const material = { ca: given.ca, ...(given.cert !== undefined ? { cert: given.cert, key: given.key } : {}) };
  return { kind: "tcp", host: hostname, port: Number(url.port || 2376), tls: material };
}

/**
 * ssh as the docker CLI runs it (ConnectTimeout=30, -T, -l USER -p PORT -- HOST docker system dial-stdio), with
 * BatchMode=yes first (ssh takes the first value of an option: there is no terminal to ask on) and the given
 * options before the defaults, so they can change everything else. Host keys are checked as ssh's own settings
 * say (known_hosts; an unknown key is refused in batch mode).
 */
function sshTarget(settings, name) {
  const url = urlOf(settings.host, name);
  if (url.password) throw new Error(`Docker host ${name}: a password in the host is not supported; use a key`);
  if (url.pathname !== "" && url.pathname !== "/") throw new Error(`Docker host ${name}: a path is not supported`);
  const opts = settings.sshOpts === undefined ? [] : settings.sshOpts;
  if (!Array.isArray(opts) || opts.some((o) => typeof o !== "string")) {
    throw new Error(`Docker host ${name}: sshOpts must be a list of strings (ssh's own arguments)`);
  }
  const args = ["-o", "BatchMode=yes", ...opts, "-o", `ConnectTimeout=${connectTimeoutSeconds()}`, "-T"];
  if (url.username) args.push("-l", decodeURIComponent(url.username));
  if (url.port) args.push("-p", url.port);
  args.push("--", url.hostname.replace(/^\[(.*)\]$/, "$1"), "docker", "system", "dial-stdio");
  return { kind: "ssh", args };
}

/** A connection to the engine: a socket, a TLS socket, or ssh's stdin and stdout as one duplex stream. */
function connect(target) {
  if (target.kind === "ssh") return sshConnection(target);
  const socket = target.tls
    ? tls.connect({
        host: target.host,
        port: target.port,
        ...(net.isIP(target.host) ? {} : { servername: target.host }),
        ...target.tls,
        rejectUnauthorized: true,
      })
    : target.kind === "tcp"
      ? net.connect({ host: target.host, port: target.port })
      : net.connect({ path: target.socketPath });
  const ready = target.tls ? "secureConnect" : "connect";
  socket.setTimeout(connectTimeoutSeconds() * 1000, () =>
    socket.destroy(new Error(`no connection within ${connectTimeoutSeconds()} s`)),
  );
  socket.once(ready, () => socket.setTimeout(0));
  return socket;
}

/** ssh's stdin and stdout as a socket-like duplex stream that node's http client can use and an agent can keep. */
function sshConnection(target) {
  const child = childProcess.spawn("ssh", target.args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  const duplex = new stream.Duplex({
    read() {
      child.stdout.resume();
    },
    write(chunk, encoding, callback) {
      child.stdin.write(chunk, callback);
    },
    final(callback) {
      child.stdin.end(callback);
    },
    destroy(error, callback) {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      callback(error);
    },
  });
  child.stdout.on("data", (chunk) => {
    if (!duplex.push(chunk)) child.stdout.pause();
  });
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  child.stdin.on("error", () => undefined); // ssh gone: reported by "close" below
  child.on("error", (error) => duplex.destroy(new Error(`cannot run ssh: ${error.message}`)));
  // The end of the stream waits for ssh's exit status: what ssh says when it fails is the error.
  child.on("close", (code, signal) => {
    if (duplex.destroyed) return;
    if (code === 0) return void duplex.push(null);
    const said = stderr
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .slice(-3)
      .join(" / ");
    duplex.destroy(new Error(`ssh exited with ${code === null ? signal : code}${said ? `: ${said}` : ""}`));
  });
  // What node's http client and a keep-alive agent call on a socket.
  duplex.setKeepAlive = () => duplex;
  duplex.setNoDelay = () => duplex;
  duplex.setTimeout = () => duplex;
  duplex.ref = () => {
    for (const handle of [child, child.stdin, child.stdout, child.stderr]) handle.ref();
    return duplex;
  };
  duplex.unref = () => {
    for (const handle of [child, child.stdin, child.stdout, child.stderr]) handle.unref();
    return duplex;
  };
  return duplex;
}

/** Says what went wrong with TLS in the words of the settings; other errors pass unchanged. */
function explainConnectionError(error) {
  const code = (error && error.code) || "";
  const unverified = [
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "CERT_SIGNATURE_FAILURE",
  ];
  if (unverified.includes(code)) return `its certificate does not verify against tls.ca (${code}: ${error.message})`;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `its certificate is for another host (${error.message})`;
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") return `its certificate ${error.message}`;
  // The engine's TLS alert when it wants a client certificate it did not get (or does not trust).
  if (
    /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE)$/.test(code)
  ) {
    const alert = /alert ([a-z ]+):/.exec(error.message);
    return (
      "the engine refused this client: no client certificate (tls.cert and tls.key), or one from a CA it does not " +
      `trust (TLS alert "${alert ? alert[1] : code}")`
    );
  }
  return error && error.message ? error.message : String(error);
}

/** An open engine: a keep-alive agent over connections made by `connect`, and the calls that use it. */
function openEngine(settings) {
  const target = targetOf(settings);
  const description = describeEngine(settings);
  const agent = new http.Agent({ keepAlive: true, maxSockets: target.kind === "ssh" ? 4 : 16 });
  agent.createConnection = () => connect(target);
  const unreachable = (error) =>
    new Error(`cannot reach the Docker engine at ${description}: ${explainConnectionError(error)}`);
  const engine = {
    description,
    request: (method, urlPath, body) => sendRequest(agent, unreachable, method, urlPath, body),
    exec: (container, cmd, env) => execWith(engine, agent, unreachable, container, cmd, env),
    close: () => agent.destroy(),
  };
  return engine;
}

/** A JSON body; a Buffer goes as it is, a tar archive (the engine's /archive endpoint: a file into a container). */
function jsonPayload(body) {
  if (Buffer.isBuffer(body))
    return { payload: body, headers: { "Content-Type": "application/x-tar", "Content-Length": body.length } };
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return { payload, headers: payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {} };
}

/** One call; resolves with the status and the raw body, rejects only when the engine cannot be reached. */
function sendRequest(agent, unreachable, method, urlPath, body) {
  const { payload, headers } = jsonPayload(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, method, path: urlPath, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode || 0, data: Buffer.concat(chunks) }));
      res.on("error", (error) => reject(unreachable(error)));
    });
    req.on("error", (error) => reject(unreachable(error)));
    if (payload) req.write(payload);
    req.end();
  });
}

/**
 * POST /exec/{id}/start as the docker CLI does it: the engine upgrades the connection (101, "Upgrade: tcp") and
 * streams the multiplexed output until the command ends, then closes it. An engine that answers without upgrading
 * sends the same stream as the body.
 */
function startExec(agent, unreachable, id) {
  const { payload, headers } = jsonPayload({ Detach: false, Tty: false });
  return new Promise((resolve, reject) => {
    const req = http.request({
      agent,
      method: "POST",
      path: `/exec/${encodeURIComponent(id)}/start`,
      headers: { ...headers, Connection: "Upgrade", Upgrade: "tcp" },
    });
    req.on("upgrade", (res, socket, head) => {
      const chunks = [head];
      socket.on("data", (c) => chunks.push(c));
      socket.on("end", () => {
        socket.destroy();
        resolve({ status: res.statusCode || 0, data: Buffer.concat(chunks) });
      });
      socket.on("error", (error) => reject(unreachable(error)));
    });
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode || 0, data: Buffer.concat(chunks) }));
    });
    req.on("error", (error) => reject(unreachable(error)));
    req.end(payload);
  });
}

/** Output of a finished exec or of the logs endpoint, without the 8-byte frame headers of the multiplexed stream. */
function demultiplex(data) {
  const out = [];
  for (let offset = 0; offset + 8 <= data.length;) {
    const size = data.readUInt32BE(offset + 4);
    out.push(data.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(out).toString();
}

/** Runs a command in a running container and waits for it: its exit code and its output (stdout and stderr). */
async function execWith(engine, agent, unreachable, container, cmd, env) {
  const created = await engine.request("POST", `/containers/${encodeURIComponent(container)}/exec`, {
    AttachStdout: true,
    AttachStderr: true,
    Cmd: cmd,
    Env: env || [],
  });
  if (created.status >= 400) throw new Error(`cannot run ${cmd[0]} in ${container}: ${created.data.toString().trim()}`);
  const id = JSON.parse(created.data.toString()).Id;
  const started = await startExec(agent, unreachable, id);
  if (started.status >= 400)
    throw new Error(`cannot start ${cmd[0]} in ${container}: ${started.data.toString().trim()}`);
  // The stream ends when the command does; its exit code is recorded a moment later at most.
  for (let attempt = 0; ; attempt++) {
    const info = JSON.parse((await engine.request("GET", `/exec/${id}/json`)).data.toString());
    if ((!info.Running && info.ExitCode !== null) || attempt >= 40) {
      return { exitCode: info.ExitCode, output: demultiplex(started.data) };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One call on an engine opened for it (and closed after). */
async function request(settings, method, urlPath, body) {
  const engine = openEngine(settings);
  try {
    return await engine.request(method, urlPath, body);
  } finally {
    engine.close();
  }
}

/** One exec on an engine opened for it (and closed after). */
async function exec(settings, container, cmd, env) {
  const engine = openEngine(settings);
  try {
    return await engine.exec(container, cmd, env);
  } finally {
    engine.close();
  }
}

module.exports = {
  engineFromEnv,
  engineProblem,
  describeEngine,
  openEngine,
  request,
  exec,
  demultiplex,
};
