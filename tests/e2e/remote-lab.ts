// The tutorial lab on a remote engine (remote-engine.ts): the real `pulumi up` with the engine named the way the
// docker CLI reads it (DOCKER_HOST, and DOCKER_TLS_VERIFY with DOCKER_CERT_PATH for TLS; for SSH, an `ssh` first
// on PATH that adds the key and known_hosts), the brokers' OUTSIDE listener published on the engine's address
// (bindAddress 0.0.0.0 there, outsideHost that address), the round trips from this machine (OUTSIDE) and from a
// container on the lab network (INSIDE: its script copied in through the engine, no bind mount), a preview that
// plans nothing, `pulumi destroy` with nothing left on the remote engine, and nothing of the lab on this one's.
// The program's config knows no engine yet: this proves what the environment alone reaches.
//
//   npx tsx tests/e2e/remote-lab.ts [--over tls,ssh] [--count N]      (as root)

import { pathToFileURL } from "node:url";
import { engineFromEnv } from "../../infra/docker-engine.cjs";
import { outputText } from "../../infra/topology.js";
import { leftoversOf, useEngine } from "../../lib/docker.js";
import { localLab } from "../../lib/local-images.js";
import { CheckRunner } from "./checks.js";
import { PROJECT, withPulumiLab, type LabDefinition } from "./pulumi-lab.js";
import { LAB_IMAGES, startRemoteEngine, type RemoteEngine } from "./remote-engine.js";
import { smokeInside, smokeOutside } from "./smoke.js";

type Way = "tls" | "ssh";

/** Runs `body` with the environment (and lib/docker.ts's engine) naming the remote engine over `way`. */
async function withEngineEnv(remote: RemoteEngine, way: Way, body: () => Promise<void>): Promise<void> {
  const names = ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "PATH"];
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of ["DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"]) delete process.env[name];
  Object.assign(process.env, remote.env[way]);
  useEngine(engineFromEnv());
  try {
    await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    useEngine(engineFromEnv());
  }
}

export async function remoteLab(
  checks: CheckRunner,
  log: (line: string) => void,
  remote: RemoteEngine,
  way: Way,
  count = 200,
): Promise<void> {
  const stack = `e2e-remote-${way}`;
  const { settings, topology } = localLab(
    "Pulumi.ci.yaml",
    { project: PROJECT, stack },
    { outsideHost: remote.address, bindAddress: "0.0.0.0" },
  );
  const definition: LabDefinition = {
    title: `tutorial lab on the remote engine over ${way.toUpperCase()} (${remote.env[way].DOCKER_HOST})`,
    stack,
    trackedFile: "Pulumi.ci.yaml",
    overrides: settings,
  };
  await withEngineEnv(remote, way, () =>
    withPulumiLab(checks, definition, log, async (lab) => {
      const bootstrap = outputText(lab.topology, "bootstrapServers");
      await checks.run(`${definition.title}: round trip from this machine through OUTSIDE (${bootstrap})`, () =>
        smokeOutside(bootstrap, "topic_test", count, log),
      );
      await checks.run(`${definition.title}: round trip from a container on the lab network through INSIDE`, () =>
        smokeInside(lab.topology, "topic_test", count, log),
      );
    }),
  );
  await checks.run(`${definition.title}: nothing of the lab on this machine's engine`, async () => {
    const here = await leftoversOf(topology.labName);
    if (here.length > 0) throw new Error(`on this machine's engine: ${here.join(", ")}`);
  });
}

async function main(): Promise<number> {
  const log = (line: string) => console.log(line);
  const checks = new CheckRunner(log);
  const args = process.argv.slice(2);
  const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const ways = (flag("--over") ?? "tls,ssh").split(",") as Way[];
  let remote: RemoteEngine | undefined;
  await checks.run("a remote engine with the lab's images", async () => {
    remote = await startRemoteEngine({ log });
    await remote.loadImages(LAB_IMAGES);
  });
  if (remote) {
    try {
      for (const way of ways) await remoteLab(checks, log, remote, way, Number(flag("--count") ?? 200));
    } finally {
      await checks.run("the remote engine torn down, nothing of it left", () => remote!.stop());
    }
  }
  return checks.finish("remote lab");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(await main());
