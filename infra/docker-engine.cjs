// The Docker Engine API over its unix socket (DOCKER_HOST=unix://... or the default socket): one request, an
// exec, and the demultiplexing of an exec's or a log's output. The one transport to the engine: the dynamic
// providers (kafka-providers.cjs) use it, and lib/docker.ts, the typed client of everything else, builds on it.
// Plain CommonJS with nothing at module level but functions and require(), because Pulumi serialises what the
// providers capture.
"use strict";

const http = require("node:http");

function socketPath() {
  return (process.env.DOCKER_HOST || "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");
}

/** One call; resolves with the status and the raw body, rejects only when the engine cannot be reached. */
function request(method, path, body) {
  const socket = socketPath();
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {};
    const req = http.request({ socketPath: socket, method, path, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode || 0, data: Buffer.concat(chunks) }));
    });
    req.on("error", (error) => reject(new Error(`cannot reach the Docker engine at ${socket}: ${error.message}`)));
    if (payload) req.write(payload);
    req.end();
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
async function exec(container, cmd, env) {
  const created = await request("POST", `/containers/${encodeURIComponent(container)}/exec`, {
    AttachStdout: true,
    AttachStderr: true,
    Cmd: cmd,
    Env: env,
  });
  if (created.status >= 400) throw new Error(`cannot run ${cmd[0]} in ${container}: ${created.data.toString().trim()}`);
  const id = JSON.parse(created.data.toString()).Id;
  const started = await request("POST", `/exec/${id}/start`, { Detach: false, Tty: false });
  const info = JSON.parse((await request("GET", `/exec/${id}/json`)).data.toString());
  return { exitCode: info.ExitCode, output: demultiplex(started.data) };
}

module.exports = { request, demultiplex, exec };
