// Labs on a second, independent Docker engine (remote-engine.ts: its own dockerd in a network namespace, reachable
// over TCP with TLS and over SSH), made by the real `pulumi up` with the engine named by the lab's keys alone:
// a tutorial lab over TLS (dockerHost tcp://, dockerTlsCa and dockerTlsCert as files, dockerTlsKey a secret) and a
// SCRAM lab over SSH (dockerHost ssh://, dockerSshOpts). `pulumi` itself runs with this machine's environment, so
// only the keys can take the lab there. Each lab: its containers are on the second engine and none on this one, the
// smoke tests pass (their docker CLI pointed at the second engine), a preview plans nothing, destroy leaves nothing
// on either engine. And the refusals: a wrong CA, an unknown host key, a loopback bindAddress with that engine.
//
//   npx tsx tests/e2e/remote-lab.ts      (as root)

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { engineFromEnv, request, type EngineSettings } from "../../infra/docker/docker-engine.cjs";
import { LAB_LABEL, labNameOf } from "../../infra/model/topology.js";
import { useEngine } from "../../lib/docker.js";
import { localLab, type Settings } from "../../lib/local-images.js";
import { runSmokeTests } from "../../lib/smoke.js";
import { CheckRunner } from "./checks.js";
import { refusedByPreview, refusedDefinition } from "./refused.js";
import { runPassword } from "./sasl.js";
import { PROJECT, topologyOf, withPulumiLab, type LabDefinition } from "./pulumi-lab.js";
import { LAB_IMAGES, startRemoteEngine, type RemoteEngine } from "./remote-engine.js";
import { makeCa } from "../support/tls-material.js";
import { transportChecks } from "./remote-engine-transport.js";

type Way = "tls" | "ssh";
type Log = (line: string) => void;

/** Runs `body` with the docker CLI pointed at the remote engine over `way` too: the smoke tests' (labOnTheEngine's). */
async function withEngineEnv<T>(remote: RemoteEngine, way: Way, body: () => Promise<T>): Promise<T> {
  const names = ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "PATH"];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of ["DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"]) delete process.env[name];
  Object.assign(process.env, remote.env[way]);
  useEngine(engineFromEnv());
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    useEngine(remote.settings[way]); // as labOnTheEngine had it
  }
}

/** The keys that put a lab on the remote engine over `way`, and the secrets among them. */
function engineKeys(remote: RemoteEngine, way: Way): { settings: Settings; secrets: Record<string, string> } {
  const where = { outsideHost: remote.address, bindAddress: remote.address };
  if (way === "tls")
    return {
      settings: {
        ...where,
        dockerHost: remote.settings.tls.host,
        dockerTlsCa: remote.tls.caFile,
        dockerTlsCert: remote.tls.certFile,
      },
      secrets: { dockerTlsKey: remote.tls.key },
    };
  return { settings: { ...where, dockerHost: remote.settings.ssh.host, dockerSshOpts: remote.ssh.opts }, secrets: {} };
}

/** Names of the containers with the lab's label on an engine. */
async function labContainersOn(engine: EngineSettings, labName: string): Promise<string[]> {
  const filter = encodeURIComponent(JSON.stringify({ label: [`${LAB_LABEL}=${labName}`] }));
  const { status, data } = await request(engine, "GET", `/containers/json?all=1&filters=${filter}`);
  if (status !== 200) throw new Error(`the remote engine listed no containers (${status}): ${data.toString()}`);
  return (JSON.parse(data.toString()) as Array<{ Names: string[] }>).map((c) => c.Names[0]!.replace(/^\//, "")).sort();
}

function definitionOf(remote: RemoteEngine, way: Way, extra: Settings, secrets: Record<string, string>): LabDefinition {
  const stack = `e2e-remote-${way}`;
  const keys = engineKeys(remote, way);
  const allSecrets = { ...keys.secrets, ...secrets };
  const identity = { project: PROJECT, stack };
  const { settings } = localLab("Pulumi.ci.yaml", identity, { ...keys.settings, ...extra }, allSecrets);
  const title =
    way === "tls"
      ? `tutorial lab on the second engine over TLS (${remote.settings.tls.host})`
      : `SCRAM lab on the second engine over SSH (${remote.settings.ssh.host})`;
  return { title, stack, trackedFile: "Pulumi.ci.yaml", overrides: settings, secrets: allSecrets };
}

async function remoteLab(checks: CheckRunner, log: Log, remote: RemoteEngine, definition: LabDefinition, way: Way) {
  const engine = remote.settings[way];
  // The checks' own Docker client (container ids, leftovers) looks at the second engine; pulumi keeps this machine's
  // environment, so only the lab's keys take the lab there.
  useEngine(engine);
  try {
    await labOnTheEngine(checks, log, remote, definition, way);
  } finally {
    useEngine(engineFromEnv());
  }
  await checks.run(`${definition.title}: pulumi destroy left nothing of it on the second engine`, async () => {
    const there = await labContainersOn(engine, topologyOf(definition).labName);
    if (there.length > 0) throw new Error(`left on the second engine: ${there.join(", ")}`);
  });
}

async function labOnTheEngine(
  checks: CheckRunner,
  log: Log,
  remote: RemoteEngine,
  definition: LabDefinition,
  way: Way,
): Promise<void> {
  const engine = remote.settings[way];
  await withPulumiLab(checks, definition, log, async (lab) => {
    const { title } = definition;
    await checks.run(`${title}: the lab's containers are on the second engine, none on this machine's`, async () => {
      const there = await labContainersOn(engine, lab.topology.labName);
      const expected = lab.topology.containers.map((c) => c.name).sort();
      if (JSON.stringify(there) !== JSON.stringify(expected))
        throw new Error(`the second engine runs ${there.join(", ") || "nothing"}, not ${expected.join(", ")}`);
      const here = await labContainersOn(engineFromEnv(), lab.topology.labName);
      if (here.length > 0) throw new Error(`on this machine's engine: ${here.join(", ")}`);
      log(`  on ${engine.host}: ${there.join(", ")}`);
    });
    await checks.run(
      `${title}: the smoke tests pass (host through OUTSIDE, the lab network through INSIDE${way === "ssh" ? ", logged in with SCRAM" : ""})`,
      async () => {
        const failed = await withEngineEnv(remote, way, () => runSmokeTests(lab.stack.name));
        if (failed !== 0) throw new Error(`the smoke tests failed (exit ${failed})`);
      },
    );
  });
}

/** What must stop `pulumi preview` before anything exists on the second engine. */
async function refusals(checks: CheckRunner, log: Log, remote: RemoteEngine): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "kafka-lab-refusals-"));
  try {
    const wrongCa = makeCa(scratch, "other-ca").certFile;
    const emptyKnownHosts = join(scratch, "known_hosts");
    writeFileSync(emptyKnownHosts, "");
    const unknownHostKey = remote.ssh.opts.map((o) =>
      o.startsWith("UserKnownHostsFile=") ? `UserKnownHostsFile=${emptyKnownHosts}` : o,
    );
    const cases: Array<[string, Way, Settings, RegExp]> = [
      [
        "a CA that did not sign the engine's certificate",
        "tls",
        { dockerTlsCa: wrongCa },
        /kafka-lab:dockerHost = .*does not verify against tls\.ca/,
      ],
      [
        "an SSH host key that is not known",
        "ssh",
        { dockerSshOpts: unknownHostKey },
        /kafka-lab:dockerHost = .*Host key verification failed/,
      ],
      [
        "a loopback bindAddress on the second engine",
        "tls",
        { bindAddress: "127.0.0.1" },
        /kafka-lab:bindAddress = "127\.0\.0\.1": the lab runs on the Docker engine at tcp:\/\/.*loopback/,
      ],
    ];
    for (const [what, way, change, expected] of cases) {
      await checks.run(`remote engine refused before anything exists: ${what}, naming the key`, async () => {
        // Not parsed here: the program must be the one that refuses it.
        const keys = engineKeys(remote, way);
        const refused = { what, trackedFile: "Pulumi.ci.yaml", settings: { ...keys.settings, ...change }, expected };
        await refusedByPreview({ ...refused, secrets: keys.secrets }, log);
        const lab = labNameOf({ project: PROJECT, stack: refusedDefinition(refused).stack });
        const there = await labContainersOn(remote.settings.tls, lab);
        if (there.length > 0) throw new Error(`the refused preview made ${there.join(", ")}`);
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The second engine, its images, both labs and the refusals; the engine is torn down also on failure. */
export async function remoteEngineLabs(checks: CheckRunner, log: Log): Promise<void> {
  let remote: RemoteEngine | undefined;
  const started = await checks.run(
    "a second Docker engine in a network namespace, over TLS and SSH, with the lab's images",
    async () => {
      remote = await startRemoteEngine({ log });
      log(`  engine at ${remote.address} up in ${remote.startSeconds.toFixed(1)}s`);
      log(`  images loaded in ${(await remote.loadImages(LAB_IMAGES)).toFixed(1)}s`);
    },
  );
  if (!started || !remote) return;
  const engine = remote;
  try {
    await transportChecks(engine, checks, log);
    await remoteLab(checks, log, engine, definitionOf(engine, "tls", {}, {}), "tls");
    const scram = { outsideAuth: "scram-sha-256" };
    await remoteLab(checks, log, engine, definitionOf(engine, "ssh", scram, { outsidePassword: runPassword() }), "ssh");
    await refusals(checks, log, engine);
  } finally {
    await checks.run("the second engine torn down: its dockerd, sshd, namespace and veth, nothing left", async () => {
      log(`  torn down in ${(await engine.stop()).toFixed(1)}s`);
    });
  }
}

async function main(): Promise<number> {
  const log = (line: string) => console.log(line);
  const checks = new CheckRunner(log);
  await remoteEngineLabs(checks, log);
  return checks.finish("remote labs");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(await main());
