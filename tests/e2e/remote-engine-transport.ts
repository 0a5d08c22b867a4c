// The Docker transport (infra/docker/docker-engine.cjs) end to end against a second engine that only the network reaches
// (remote-engine.ts): over TLS and over SSH, the engine's answers (ping, version, images), a container from a local
// test image with an exec in it, lib/docker.ts pointed at it; the refusals, each with its exact message (another
// CA, an unknown SSH host key, TLS without a CA, no client certificate); request latency over unix, TLS and SSH.
// The engine is torn down also when a check fails, and nothing of it may be left.
//
//   npx tsx tests/e2e/remote-engine-transport.ts        (as root; prints "remote engine: N passed, N failed, N skipped")
// From the e2e runner: await remoteEngineTransport(checks, log).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import engineModule, { type Engine, type EngineSettings } from "../../infra/docker/docker-engine.cjs";
import { engineFromEnv } from "../../infra/docker/docker-engine.cjs";
import { findContainer, imageExists, useEngine } from "../../lib/docker.js";
import { makeCa } from "../support/tls-material.js";
import { CheckRunner } from "./checks.js";
import { startRemoteEngine, type RemoteEngine } from "./remote-engine.js";

const { openEngine, request } = engineModule;
const IMAGE = "kafka-lab-local/jre:17";
const TEST_LABEL = "org.kafka-lab.test";

/** The refusals and their messages, exactly (ADDRESS: the engine's). */
export const REFUSALS = {
  otherCa:
    "cannot reach the Docker engine at tcp://ADDRESS:2376 (TLS): its certificate does not verify against tls.ca " +
    "(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate)",
  unknownHostKey:
    "cannot reach the Docker engine at ssh://root@ADDRESS: ssh exited with 255: Host key verification failed.",
  noClientCertificate:
    "cannot reach the Docker engine at tcp://ADDRESS:2376 (TLS): the engine refused this client: no client " +
    'certificate (tls.cert and tls.key), or one from a CA it does not trust (TLS alert "bad certificate")',
  tlsWithoutCa:
    "Docker host tcp://ADDRESS:2376 (TLS): TLS without a CA is refused, since the engine could not be verified: give " +
    "tls.ca, the PEM of the CA that signed the engine's certificate (from the environment: ca.pem in " +
    "DOCKER_CERT_PATH, else ~/.docker)",
};

async function json<T>(engine: Engine, method: string, path: string, body?: unknown): Promise<T> {
  const { status, data } = await engine.request(method, path, body);
  if (status >= 400) throw new Error(`${method} ${path} answered ${status}: ${data.toString().trim()}`);
  return JSON.parse(data.toString()) as T;
}

async function answers(settings: EngineSettings, log: (line: string) => void): Promise<void> {
  const engine = openEngine(settings);
  try {
    const ping = await engine.request("GET", "/_ping");
    assert.deepEqual([ping.status, ping.data.toString()], [200, "OK"]);
    const version = await json<{ Version: string; ApiVersion: string }>(engine, "GET", "/version");
    const images = await json<Array<{ RepoTags: string[] | null }>>(engine, "GET", "/images/json");
    const tags = images.flatMap((i) => i.RepoTags ?? []);
    assert.ok(tags.includes(IMAGE), `images: ${tags.join(", ")}`);
    log(`  engine ${version.Version} (API ${version.ApiVersion}), images: ${tags.join(", ")}`);
  } finally {
    engine.close();
  }
}

/** Creates, starts, execs in and removes a container; the container goes also when a step fails. */
async function containerRoundTrip(settings: EngineSettings, tag: string, log: (line: string) => void): Promise<void> {
  const engine = openEngine(settings);
  const name = `kl-remote-transport-${tag}-${process.pid}`;
  let id: string | undefined;
  try {
    ({ Id: id } = await json<{ Id: string }>(engine, "POST", `/containers/create?name=${name}`, {
      Image: IMAGE,
      Cmd: ["sleep", "300"],
      Labels: { [TEST_LABEL]: "remote-engine-transport" },
    }));
    const started = await engine.request("POST", `/containers/${id}/start`);
    assert.equal(started.status, 204, started.data.toString());
    const result = await engine.exec(
      name,
      ["sh", "-c", 'echo "out $KL_WORD $(hostname)"; echo err >&2; exit 3'],
      ["KL_WORD=through-the-exec"],
    );
    assert.equal(result.exitCode, 3);
    assert.match(result.output, new RegExp(`out through-the-exec ${id.slice(0, 12)}\\n`));
    assert.match(result.output, /err\n/);
    log(`  exec in ${name}: exit ${result.exitCode}, output ${JSON.stringify(result.output)}`);
  } finally {
    if (id) {
      const removed = await engine.request("DELETE", `/containers/${id}?force=true&v=true`);
      const gone = await engine.request("GET", `/containers/${id}/json`);
      engine.close();
      assert.equal(removed.status, 204, removed.data.toString());
      assert.equal(gone.status, 404);
    } else engine.close();
  }
}

async function refusedWith(promise: Promise<unknown>, expected: string): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.message, expected);
    return true;
  });
}

async function refusals(remote: RemoteEngine, checks: CheckRunner): Promise<void> {
  const exact = (message: string) => message.split("ADDRESS").join(remote.address);
  const scratch = mkdtempSync(join(tmpdir(), "kl-remote-refusals-"));
  try {
    await checks.run("refused: an engine whose certificate another CA signed", async () => {
      const other = makeCa(scratch, "other-ca");
      const settings = { ...remote.settings.tls, tls: { ...remote.settings.tls.tls, ca: other.cert } };
      await refusedWith(request(settings, "GET", "/_ping"), exact(REFUSALS.otherCa));
    });
    await checks.run("refused: an SSH host key that known_hosts does not hold (empty known_hosts)", async () => {
      const empty = join(scratch, "known_hosts");
      writeFileSync(empty, "");
      const opts = [
        "-F",
        "none",
        "-i",
        remote.ssh.keyFile,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        `UserKnownHostsFile=${empty}`,
      ];
      await refusedWith(
        request({ ...remote.settings.ssh, sshOpts: opts }, "GET", "/_ping"),
        exact(REFUSALS.unknownHostKey),
      );
    });
    await checks.run("refused before connecting: TLS without a CA", async () => {
      const { cert, key } = remote.settings.tls.tls!;
      assert.throws(() => openEngine({ host: remote.settings.tls.host, tls: { cert, key } }), {
        message: exact(REFUSALS.tlsWithoutCa),
      });
    });
    await checks.run("refused by the engine: TLS without a client certificate", async () => {
      const settings = { host: remote.settings.tls.host, tls: { ca: remote.tls.ca } };
      await refusedWith(request(settings, "GET", "/_ping"), exact(REFUSALS.noClientCertificate));
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(times: number, call: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = process.hrtime.bigint();
    await call();
    ms.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(ms);
}

/** Median ms of GET /_ping on an open engine (connection kept) and on a new connection each time. */
export async function latencies(remote: RemoteEngine): Promise<Record<string, { kept: number; fresh: number }>> {
  const ways: Record<string, EngineSettings> = {
    "this machine's engine, unix socket": engineFromEnv(),
    "remote engine, its unix socket": remote.settings.unix,
    "remote engine, TLS": remote.settings.tls,
    "remote engine, SSH": remote.settings.ssh,
  };
  const out: Record<string, { kept: number; fresh: number }> = {};
  for (const [way, settings] of Object.entries(ways)) {
    const engine = openEngine(settings);
    try {
      await engine.request("GET", "/_ping");
      const kept = await timed(50, () => engine.request("GET", "/_ping"));
      const fresh = await timed(10, () => request(settings, "GET", "/_ping"));
      out[way] = { kept, fresh };
    } finally {
      engine.close();
    }
  }
  return out;
}

async function overBoth(remote: RemoteEngine, checks: CheckRunner, log: (line: string) => void): Promise<void> {
  for (const [way, settings] of [
    ["TLS", remote.settings.tls],
    ["SSH", remote.settings.ssh],
  ] as const) {
    await checks.run(`over ${way} (${settings.host}): ping, version, the images`, () => answers(settings, log));
    await checks.run(`over ${way}: a container from ${IMAGE}, an exec in it (output, exit code), removed`, () =>
      containerRoundTrip(settings, way.toLowerCase(), log),
    );
  }
  await checks.run("lib/docker.ts on the remote engine (useEngine), then back on this machine's", async () => {
    useEngine(remote.settings.ssh);
    try {
      assert.equal(await imageExists(IMAGE), true);
      assert.equal(await findContainer(`kl-remote-transport-none-${process.pid}`), undefined);
    } finally {
      useEngine(engineFromEnv());
    }
  });
}

/** The transport's checks against a running second engine that holds IMAGE. */
export async function transportChecks(engine: RemoteEngine, checks: CheckRunner, log: (line: string) => void) {
  await overBoth(engine, checks, log);
  await refusals(engine, checks);
  await checks.run("request latency (median GET /_ping): unix, TLS, SSH", async () => {
    for (const [way, ms] of Object.entries(await latencies(engine)))
      log(`  ${way}: ${ms.kept.toFixed(2)} ms on a kept connection, ${ms.fresh.toFixed(1)} ms on a new one`);
  });
}

/** Starts the remote engine, runs every check against it, tears it down (also when a check fails). */
export async function remoteEngineTransport(checks: CheckRunner, log: (line: string) => void): Promise<void> {
  let remote: RemoteEngine | undefined;
  const up = await checks.run("a second Docker engine in a network namespace: dockerd on TLS, sshd", async () => {
    remote = await startRemoteEngine({ log });
  });
  if (!up || !remote) return;
  const engine: RemoteEngine = remote;
  try {
    if (await checks.run(`${IMAGE} loaded into it (docker save | docker load)`, () => engine.loadImages([IMAGE])))
      await transportChecks(engine, checks, log);
  } finally {
    await checks.run(
      "the remote engine torn down, nothing of it left (namespace, veth, processes, mounts, cgroups, files)",
      () => engine.stop(),
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const log = (line: string) => console.log(line);
  const checks = new CheckRunner(log);
  await remoteEngineTransport(checks, log);
  process.exit(checks.finish("remote engine"));
}
