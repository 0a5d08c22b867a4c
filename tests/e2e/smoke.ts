// Runs the project's smoke tests against a realised lab, as a user would run them.

import { $ } from "zx";
import { outputText, type LabTopology } from "../../infra/topology.js";
import { CLIENT_IMAGE } from "../../lib/local-images.js";
import { projectRoot } from "../../lib/paths.js";

async function runSmoke(script: string, args: string[], log: (line: string) => void): Promise<void> {
  const result = await $({ cwd: projectRoot, nothrow: true, quiet: true })`node --import tsx ${script} ${args}`;
  const output = `${result.stdout}${result.stderr}`.trim();
  log(
    output
      .split("\n")
      .map((l) => `  | ${l}`)
      .join("\n"),
  );
  if (result.exitCode !== 0) throw new Error(`${script} exited with ${result.exitCode}`);
}

export function smokeOutside(
  bootstrap: string,
  topic: string,
  count: number,
  log: (line: string) => void,
  extra: string[] = [],
): Promise<void> {
  return runSmoke(
    "smoke-tests/round-trip.ts",
    ["--bootstrap", bootstrap, "--listener", "OUTSIDE", "--topic", topic, "--count", String(count), ...extra],
    log,
  );
}

export function smokeInside(
  topology: LabTopology,
  topic: string,
  count: number,
  log: (line: string) => void,
  extra: string[] = [],
): Promise<void> {
  return runSmoke(
    "smoke-tests/inside.ts",
    [
      "--network",
      topology.network.name,
      "--internal-bootstrap",
      outputText(topology, "internalBootstrapServers"),
      "--client-image",
      CLIENT_IMAGE,
      "--lab",
      topology.labName,
      "--topic",
      topic,
      "--count",
      String(count),
      ...extra,
    ],
    log,
  );
}
