// Runs the project's smoke tests against a realised lab, as a user would run them.

import { $ } from "zx";
import { outputText, type LabTopology } from "../../infra/model/topology.js";
import { CLIENT_IMAGE } from "../../lib/local-images.js";
import { projectRoot } from "../../lib/paths.js";

export interface ScriptRun {
  exitCode: number | null;
  /** Its stdout and stderr. */
  output: string;
  stdout: string;
  ms: number;
}

/**
 * Runs one of the project's scripts as a user would (`node --import tsx <args>`), its output indented into the log;
 * `timeout` kills one that hangs; `env` replaces the environment.
 */
export async function runNodeScript(
  args: string[],
  log: (line: string) => void,
  { timeout, env }: { timeout?: `${number}s`; env?: NodeJS.ProcessEnv } = {},
): Promise<ScriptRun> {
  const started = Date.now();
  const result = await $({
    cwd: projectRoot,
    nothrow: true,
    quiet: true,
    ...(timeout ? { timeout } : {}),
    ...(env ? { env } : {}),
  })`node --import tsx ${args}`;
  const output = `${result.stdout}${result.stderr}`.trim();
  log(
    output
      .split("\n")
      .map((l) => `  | ${l}`)
      .join("\n"),
  );
  return { exitCode: result.exitCode, output, stdout: result.stdout, ms: Date.now() - started };
}

/** Runs a smoke script; throws when it does not exit 0, or when it skipped what the check runs it for. */
export async function runSmoke(script: string, args: string[], log: (line: string) => void): Promise<void> {
  const { exitCode, output } = await runNodeScript([script, ...args], log);
  if (exitCode !== 0) throw new Error(`${script} exited with ${exitCode}`);
  if (/^SKIPPED/m.test(output)) throw new Error(`${script} skipped its checks: not a pass`);
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
  const { config } = topology;
  const place =
    config.target === "kubernetes"
      ? ["--namespace", topology.labName, "--kubeconfig", config.kubeconfig, "--kube-context", config.kubeContext]
      : ["--network", topology.network.name];
  return runSmoke(
    "smoke-tests/inside.ts",
    [
      ...place,
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
