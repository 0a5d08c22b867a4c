// The Docker transport (infra/docker/docker-engine.cjs) against real servers on this machine: a unix socket, plain HTTP
// and TLS on loopback (a CA made here, a second CA that must be refused), and ssh through a stand-in `ssh` on PATH
// that records its arguments and pipes to the unix socket. A real sshd and a real engine: tests/e2e/remote-engine*.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import engineModule from "../../infra/docker/docker-engine.cjs";
import type { EngineSettings } from "../../infra/docker/docker-engine.cjs";
import { frame, listen, serveFakeEngine, type FakeEngine } from "../support/fake-engine.js";
import { issue, makeCa, type Pem, type TestCa } from "../support/tls-material.js";

const { demultiplex, describeEngine, engineFromEnv, engineProblem, exec, openEngine, request } = engineModule;
const transport = fileURLToPath(new URL("../../infra/docker/docker-engine.cjs", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "kafka-lab-engine-"));
const servers: Server[] = [];
let ca: TestCa;
let otherCa: TestCa;
let client: Pem;
let unixSettings: EngineSettings;
let unixEngine: FakeEngine;
let tcpSettings: EngineSettings;
let tcpEngine: FakeEngine;
let tlsPort: number;
let tlsEngine: FakeEngine;

before(async () => {
  ca = makeCa(dir, "ca");
  otherCa = makeCa(dir, "other-ca");
  const server = issue(ca, "engine", ["127.0.0.1", "localhost"]);
  client = issue(ca, "client");

  const unix = createServer();
  unixEngine = serveFakeEngine(unix);
  await listen(unix, join(dir, "docker.sock"));
  unixSettings = { host: `unix://${join(dir, "docker.sock")}` };

  const tcp = createServer();
  tcpEngine = serveFakeEngine(tcp);
  tcpSettings = { host: `tcp://127.0.0.1:${await listen(tcp, 0)}`, insecure: true };

  // As dockerd --tlsverify: only clients with a certificate from the same CA get in.
  const tls = createTlsServer({
    key: server.key,
    cert: server.cert,
    ca: ca.cert,
    requestCert: true,
    rejectUnauthorized: true,
  });
  tlsEngine = serveFakeEngine(tls);
  tlsPort = await listen(tls, 0);
  servers.push(unix, tcp, tls);
});

after(() => {
  for (const server of servers) server.close();
  rmSync(dir, { recursive: true, force: true });
});

const tlsSettings = (host = "127.0.0.1"): EngineSettings => ({
  host: `tcp://${host}:${tlsPort}`,
  tls: { ca: ca.cert, cert: client.cert, key: client.key },
});

describe("settings", () => {
  it("refuses what would not verify the engine, or is not an engine, naming the setting", () => {
    const cases: Array<[EngineSettings, RegExp]> = [
      [
        { host: "tcp://box:2376" },
        /^Docker host tcp:\/\/box:2376 \(TLS\) has no TLS settings: give tls\.ca .*insecure: true/,
      ],
      [
        { host: "tcp://box:2376", tls: { cert: "c", key: "k" } },
        /TLS without a CA is refused, since the engine could not be verified: give tls\.ca/,
      ],
      [{ host: "tcp://box:2376", tls: { ca: "  " } }, /TLS without a CA is refused/],
      [{ host: "tcp://box:2376", tls: { ca: "x", cert: "c" } }, /tls\.cert and tls\.key go together/],
      [
        { host: "tcp://box:2375", insecure: true, tls: { ca: "x" } },
        /insecure \(plain HTTP\) and tls exclude each other/,
      ],
      [{ host: "unix:///var/run/docker.sock", tls: { ca: "x" } }, /tls and insecure apply to tcp:\/\/ hosts only/],
      [{ host: "tcp://box:2375", insecure: true, sshOpts: [] }, /sshOpts apply to ssh:\/\/ hosts only/],
      [{ host: "ssh://root@box", sshOpts: "-i key" as unknown as string[] }, /sshOpts must be a list of strings/],
      [
        { host: "ssh://root:hunter2@box" },
        /^Docker host ssh:\/\/root:\[secret\]@box: a password in the host is not supported/,
      ],
      [
        { host: "npipe:////./pipe/docker_engine" },
        /is not supported: use unix:\/\/PATH, tcp:\/\/HOST:PORT \(TLS\) or ssh:/,
      ],
      [{ host: "" }, /need a host/],
    ];
    for (const [settings, expected] of cases)
      assert.match(engineProblem(settings) ?? "accepted", expected, settings.host);
    assert.equal(engineProblem({ host: "ssh://box:2222", sshOpts: ["-i", "key"] }), undefined);
    assert.throws(() => openEngine({ host: "tcp://box:2376" }), /has no TLS settings/);
  });

  it("derives them from the environment as the docker CLI does, without ever skipping verification", () => {
    const certs = mkdtempSync(join(dir, "certs-"));
    writeFileSync(join(certs, "ca.pem"), "CA");
    writeFileSync(join(certs, "cert.pem"), "CERT");
    writeFileSync(join(certs, "key.pem"), "KEY");
    assert.deepEqual(engineFromEnv({}), { host: "unix:///var/run/docker.sock" });
    assert.deepEqual(engineFromEnv({ DOCKER_HOST: "ssh://me@box", DOCKER_TLS_VERIFY: "1" }), { host: "ssh://me@box" });
    assert.deepEqual(
      engineFromEnv({ DOCKER_HOST: "tcp://box:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs }),
      {
        host: "tcp://box:2376",
        tls: { ca: "CA", cert: "CERT", key: "KEY" },
      },
    );
    // DOCKER_CERT_PATH without DOCKER_TLS_VERIFY: the Go client would skip verification; here it is not TLS, so refused.
    const unverified = engineFromEnv({ DOCKER_HOST: "box:2376", DOCKER_CERT_PATH: certs });
    assert.deepEqual(unverified, { host: "tcp://box:2376" });
    assert.match(engineProblem(unverified) ?? "", /has no TLS settings/);
    rmSync(join(certs, "ca.pem"));
    const noCa = engineFromEnv({ DOCKER_HOST: "tcp://box", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: certs });
    assert.deepEqual(noCa.tls, { cert: "CERT", key: "KEY" });
    assert.match(engineProblem(noCa) ?? "", /TLS without a CA is refused.*ca\.pem in DOCKER_CERT_PATH/);
    assert.equal(describeEngine(noCa), "tcp://box (TLS)");
  });
});

/** A request, a JSON body both ways, and an exec with its exit code and both streams. */
async function roundTrip(settings: EngineSettings, fake: FakeEngine): Promise<void> {
  const ping = await request(settings, "GET", "/_ping");
  assert.deepEqual([ping.status, ping.data.toString()], [200, "OK"]);
  const echo = await request(settings, "POST", "/echo", { a: [1, "two"] });
  assert.deepEqual(JSON.parse(echo.data.toString()), { method: "POST", body: { a: [1, "two"] } });
  const result = await exec(settings, "c1", ["bash", "-c", "true"], ["K=v"]);
  assert.deepEqual(result, { exitCode: 3, output: "ran bash -c true\nwarning\n" });
  assert.deepEqual(fake.execs.at(-1), {
    AttachStdout: true,
    AttachStderr: true,
    Cmd: ["bash", "-c", "true"],
    Env: ["K=v"],
  });
  assert.ok(fake.calls.includes("POST /exec/e1/start (upgrade tcp)"), fake.calls.join("\n"));
}

describe("unix socket", () => {
  it("requests and runs an exec", () => roundTrip(unixSettings, unixEngine));

  it("an exec in a missing container says so", async () => {
    await assert.rejects(
      exec(unixSettings, "missing", ["true"]),
      /^Error: cannot run true in missing: .*No such container/,
    );
  });

  it("an engine that is not there rejects, naming it", async () => {
    await assert.rejects(
      request({ host: `unix://${join(dir, "none.sock")}` }, "GET", "/_ping"),
      /^Error: cannot reach the Docker engine at unix:\/\/.*none\.sock: connect ENOENT/,
    );
  });

  it("keeps one connection for the calls of an open engine", async () => {
    const engine = openEngine(unixSettings);
    try {
      const answers = await Promise.all([1, 2, 3].map(() => engine.request("GET", "/_ping")));
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200, 200],
      );
      assert.equal((await engine.request("GET", "/version")).status, 200);
    } finally {
      engine.close();
    }
  });
});

describe("tcp", () => {
  it("plain HTTP when asked for with insecure: true", () => roundTrip(tcpSettings, tcpEngine));

  it("mutual TLS against the CA given, by IP address and by name", async () => {
    await roundTrip(tlsSettings(), tlsEngine);
    assert.equal((await request(tlsSettings("localhost"), "GET", "/_ping")).status, 200);
  });

  it("refuses an engine whose certificate another CA signed", async () => {
    const settings = { ...tlsSettings(), tls: { ...tlsSettings().tls, ca: otherCa.cert } };
    await assert.rejects(
      request(settings, "GET", "/_ping"),
      new RegExp(
        `^Error: cannot reach the Docker engine at tcp://127\\.0\\.0\\.1:${tlsPort} \\(TLS\\): its certificate does not ` +
          "verify against tls\\.ca \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate|" +
          // node's TLS server also sends the CA it trusts; dockerd sends only its own certificate.
          "SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain)\\)$",
      ),
    );
    assert.ok(!tlsEngine.calls.some((c) => c.includes("refused")), "no request reached the engine");
  });

  it("refuses an engine whose certificate names another host", async () => {
    const elsewhere = issue(ca, "elsewhere", ["elsewhere.invalid", "192.0.2.1"]);
    const server = createTlsServer({ key: elsewhere.key, cert: elsewhere.cert });
    serveFakeEngine(server);
    servers.push(server);
    const settings = { ...tlsSettings(), host: `tcp://127.0.0.1:${await listen(server, 0)}` };
    await assert.rejects(
      request(settings, "GET", "/_ping"),
      /: its certificate is for another host \(Hostname\/IP does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list: 192\.0\.2\.1\)$/,
    );
  });

  it("TLS without a client certificate is refused by an engine that wants one", async () => {
    const settings = { host: `tcp://127.0.0.1:${tlsPort}`, tls: { ca: ca.cert } };
    await assert.rejects(request(settings, "GET", "/_ping"), {
      message:
        `cannot reach the Docker engine at tcp://127.0.0.1:${tlsPort} (TLS): the engine refused this client: no client ` +
        'certificate (tls.cert and tls.key), or one from a CA it does not trust (TLS alert "certificate required")',
    });
  });

  it("TLS without a CA never connects", async () => {
    const settings = { host: `tcp://127.0.0.1:${tlsPort}`, tls: { cert: client.cert, key: client.key } };
    const before = tlsEngine.calls.length;
    await assert.rejects(
      request(settings, "GET", "/_ping"),
      /TLS without a CA is refused, since the engine could not be verified/,
    );
    assert.equal(tlsEngine.calls.length, before);
  });
});

describe("ssh", () => {
  const bin = join(dir, "bin");
  const argsLog = join(dir, "ssh-args.log");
  let path: string | undefined;

  before(() => {
    // A stand-in ssh: records its arguments, refuses host "unknown.invalid" as ssh does an unknown host key, and
    // otherwise connects its stdin and stdout to the fake engine's socket (what dial-stdio does on the far side).
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "ssh"),
      `#!${process.execPath}
const fs = require("node:fs"), net = require("node:net");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(argsLog)}, JSON.stringify(args) + "\\n");
if (args.includes("unknown.invalid")) { process.stderr.write("No ED25519 host key is known for unknown.invalid and you have requested strict checking.\\r\\nHost key verification failed.\\r\\n"); process.exit(255); }
const socket = net.connect(${JSON.stringify(join(dir, "docker.sock"))});
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on("end", () => process.exit(0));
`,
    );
    chmodSync(join(bin, "ssh"), 0o755);
    path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
  });

  after(() => {
    process.env.PATH = path;
  });

  const sshCalls = () =>
    readFileSync(argsLog, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as string[]);

  it("runs docker system dial-stdio through the local ssh, in batch mode, with the options given", async () => {
    writeFileSync(argsLog, "");
    await roundTrip(
      { host: "ssh://kafka@box:2222", sshOpts: ["-i", "/keys/id", "-o", "UserKnownHostsFile=/kh"] },
      unixEngine,
    );
    const calls = sshCalls();
    assert.deepEqual(calls[0], [
      "-o",
      "BatchMode=yes",
      "-i",
      "/keys/id",
      "-o",
      "UserKnownHostsFile=/kh",
      "-o",
      "ConnectTimeout=30",
      "-T",
      "-l",
      "kafka",
      "-p",
      "2222",
      "--",
      "box",
      "docker",
      "system",
      "dial-stdio",
    ]);
    assert.ok(
      !calls.flat().some((a) => /StrictHostKeyChecking|KnownHostsFile=\/dev\/null/.test(a)),
      "host keys checked",
    );
  });

  it("an open engine keeps its ssh connection for the next calls", async () => {
    writeFileSync(argsLog, "");
    const engine = openEngine({ host: "ssh://box" });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await engine.request("GET", "/_ping")).status, 200);
    } finally {
      engine.close();
    }
    assert.equal(sshCalls().length, 1);
  });

  it("ssh's refusal reaches the caller in ssh's words", async () => {
    await assert.rejects(
      request({ host: "ssh://root@unknown.invalid" }, "GET", "/_ping"),
      /^Error: cannot reach the Docker engine at ssh:\/\/root@unknown\.invalid: ssh exited with 255: No ED25519 host key is known for unknown\.invalid .* \/ Host key verification failed\.$/,
    );
  });

  it("idle connections (ssh, unix) do not keep node running", async () => {
    const script =
      `const e = require(${JSON.stringify(transport)}); ` +
      `const ssh = e.openEngine({ host: "ssh://box" }); const unix = e.openEngine(${JSON.stringify(unixSettings)}); ` +
      `Promise.all([ssh.request("GET", "/_ping"), unix.request("GET", "/_ping")]).then((r) => console.log(r.map((x) => x.status).join(",")));`;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], { timeout: 10000 });
    assert.equal(stdout.trim(), "200,200");
    assert.ok(Date.now() - started < 5000, `exited after ${Date.now() - started} ms`);
  });
});

it("demultiplex drops the frame headers of both streams", () => {
  assert.equal(demultiplex(Buffer.concat([frame(1, "out "), frame(2, "err"), frame(1, "!")])), "out err!");
});
