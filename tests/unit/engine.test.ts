// The lab on another Docker engine: the keys that name it, what is refused before anything exists (naming the key),
// and what the Docker provider and the setup steps' transport are given.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, type RawConfig } from "../../infra/model/config.js";
import { parseLabConfig } from "../../infra/model/checks.js";
import { remoteKeysProblems } from "../../infra/docker/checks.js";
import { engineOf, providerArgs, remoteEngineProblems } from "../../infra/docker/engine.js";

const CA = "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n";
const files: Record<string, string> = { "certs/ca.pem": CA, "certs/cert.pem": CERT, "certs/notes.txt": "hello" };
const readFile = (path: string) => files[path];
const remote = { outsideHost: "10.0.0.5", bindAddress: "10.0.0.5" };
const tls = { dockerTlsCa: "certs/ca.pem", dockerTlsCert: "certs/cert.pem", dockerTlsKey: KEY };

/** What the preflight refuses before it asks the engine anything: the keys, then what a remote engine needs. */
function problems(raw: RawConfig): Array<{ key: string; allowed: string }> {
  try {
    return remoteKeysProblems(parseLabConfig(raw, { readFile, plaintextKeys: [] }));
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
}

describe("the engine keys", () => {
  it("default to the environment's engine, exactly as before", () => {
    const config = parseLabConfig({});
    assert.equal(engineOf(config), undefined);
    assert.deepEqual(providerArgs(engineOf(config)), {});
  });

  it("take TLS material as PEM text or as a file, and give it to the provider (the key as the caller's secret)", () => {
    const config = parseLabConfig({ dockerHost: "tcp://10.0.0.5:2376", ...remote, ...tls }, { readFile });
    const engine = engineOf(config)!;
    assert.deepEqual(engine, { host: "tcp://10.0.0.5:2376", tls: { ca: CA, cert: CERT, key: KEY } });
    assert.deepEqual(providerArgs(engine), {
      host: "tcp://10.0.0.5:2376",
      caMaterial: CA,
      certMaterial: CERT,
      keyMaterial: KEY,
    });
  });

  it("give ssh its options, with BatchMode for the provider (no prompt may hang pulumi up)", () => {
    const opts = ["-i", "/keys/lab", "-o", "UserKnownHostsFile=/keys/known_hosts"];
    const config = parseLabConfig({
      dockerHost: "ssh://root@10.0.0.5",
      dockerSshOpts: JSON.stringify(opts),
      ...remote,
    });
    assert.deepEqual(engineOf(config), { host: "ssh://root@10.0.0.5", sshOpts: opts });
    assert.deepEqual(providerArgs(engineOf(config)).sshOpts, ["-o", "BatchMode=yes", ...opts]);
  });

  const refusals: Array<[string, RawConfig, string, RegExp]> = [
    [
      "tcp:// without TLS",
      { dockerHost: "tcp://10.0.0.5:2375", ...remote },
      "dockerHost",
      /without TLS: set dockerTlsCa/,
    ],
    [
      "TLS without a CA",
      { dockerHost: "tcp://10.0.0.5:2376", ...remote, ...tls, dockerTlsCa: "" },
      "dockerTlsCa",
      /could not be verified/,
    ],
    [
      "TLS without a client key",
      { dockerHost: "tcp://10.0.0.5:2376", ...remote, ...tls, dockerTlsKey: "" },
      "dockerTlsKey",
      /client certificate and key/,
    ],
    [
      "plain HTTP and TLS at once",
      { dockerHost: "tcp://10.0.0.5:2375", dockerInsecure: "true", ...remote, ...tls },
      "dockerTlsCa",
      /cannot go with dockerInsecure/,
    ],
    [
      "TLS on an ssh engine",
      { dockerHost: "ssh://root@h", ...remote, dockerTlsCa: CA },
      "dockerTlsCa",
      /tcp:\/\/ .*only/,
    ],
    ["ssh options on tcp", { dockerSshOpts: '["-v"]' }, "dockerSshOpts", /ssh:\/\/ dockerHost only/],
    ["a password in the ssh URL", { dockerHost: "ssh://root:pw@h", ...remote }, "dockerHost", /no password/],
    ["a scheme Docker does not speak", { dockerHost: "http://h:2375" }, "dockerHost", /unix:\/\/\/path/],
    [
      "a file that is not PEM",
      { dockerHost: "tcp://h:2376", ...remote, ...tls, dockerTlsCa: "certs/notes.txt" },
      "dockerTlsCa",
      /no PEM/,
    ],
    [
      "a file that is not there",
      { dockerHost: "tcp://h:2376", ...remote, ...tls, dockerTlsCa: "certs/no.pem" },
      "dockerTlsCa",
      /readable file/,
    ],
    [
      "a remote engine with a loopback bindAddress",
      { dockerHost: "ssh://root@h", outsideHost: "h" },
      "bindAddress",
      /loopback this machine cannot reach/,
    ],
    [
      "a remote engine with localhost as outsideHost",
      { dockerHost: "ssh://root@h", bindAddress: "0.0.0.0" },
      "outsideHost",
      /not their own/,
    ],
  ];
  for (const [what, raw, key, allowed] of refusals) {
    it(`refuses ${what}, naming ${key}`, () => {
      const problem = problems(raw).find((p) => p.key === key);
      assert.ok(problem, `no problem for ${key}: ${JSON.stringify(problems(raw))}`);
      assert.match(problem.allowed, allowed);
    });
  }

  it("accept plain HTTP when asked for, and a unix socket as a local engine", () => {
    assert.deepEqual(problems({ dockerHost: "tcp://10.0.0.5:2375", dockerInsecure: "true", ...remote }), []);
    assert.deepEqual(problems({ dockerHost: "unix:///run/user/1000/docker.sock" }), []);
  });

  it("hold an engine the environment names to the same rules", () => {
    const [bind, host] = remoteEngineProblems(
      { host: "ssh://me@box" },
      { bindAddress: "127.0.0.1", outsideHost: "localhost" },
    );
    assert.equal(bind!.key, "bindAddress");
    assert.equal(host!.key, "outsideHost");
    assert.deepEqual(
      remoteEngineProblems(
        { host: "unix:///var/run/docker.sock" },
        { bindAddress: "127.0.0.1", outsideHost: "localhost" },
      ),
      [],
    );
  });

  it("refuse the client key stored in plain text", () => {
    assert.throws(
      () => parseLabConfig({ dockerTlsKey: KEY }, { plaintextKeys: ["dockerTlsKey"] }),
      /dockerTlsKey = \[secret\]: is stored in plain text; .*lab:secret -- dockerTlsKey/,
    );
  });
});
