// SCRAM on the OUTSIDE listener, on real brokers: the smoke test logs in with the right password, a wrong one
// fails fast with an authentication error, a changed one replaces it, and the password shows up in no container's
// config or log and on no command line.

import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { outputText, type LabTopology } from "../../infra/model/topology.js";
import type { Login } from "../../lib/console.js";
import { inspectContainer, logsTail } from "../../lib/docker.js";
import type { LabStack } from "../../lib/pulumi-stack.js";
import type { Log } from "./containers.js";
import type { ProvisionedLab } from "./pulumi-lab.js";
import { runNodeScript, type ScriptRun } from "./smoke.js";

/** A password for this run only (letters, digits, '-' and '_': what the config accepts). */
export const runPassword = (): string => `kl-${randomBytes(12).toString("base64url")}`;

/** The lab's SCRAM login as its outputs name it, with the password given. */
export function loginOf(topology: LabTopology, password: string): Login {
  return {
    mechanism: outputText(topology, "outsideAuth"),
    username: outputText(topology, "outsideUsername"),
    password,
  };
}

/** The OUTSIDE round trip with the password in the environment (none: no login at all); its exit and time logged. */
async function outsideSmoke(topology: LabTopology, password: string | undefined, log: Log): Promise<ScriptRun> {
  const login =
    password === undefined
      ? []
      : [
          "--sasl-mechanism",
          outputText(topology, "outsideAuth"),
          "--username",
          outputText(topology, "outsideUsername"),
        ];
  const bootstrap = topology.outputs.bootstrapServers.value;
  const attempt = await runNodeScript(
    ["smoke-tests/round-trip.ts", "--bootstrap", bootstrap, "--listener", "OUTSIDE", "--count", "50", ...login],
    log,
    { env: { ...process.env, KAFKA_LAB_PASSWORD: password ?? "" } },
  );
  log(`  exit ${attempt.exitCode} after ${(attempt.ms / 1000).toFixed(1)}s`);
  return attempt;
}

export async function loginWorks(topology: LabTopology, password: string, log: (line: string) => void): Promise<void> {
  const attempt = await outsideSmoke(topology, password, log);
  if (attempt.exitCode !== 0) throw new Error(`the round trip with the right password exited ${attempt.exitCode}`);
  if (attempt.output.includes(password)) throw new Error("the smoke test printed the password");
}

export async function wrongPasswordFailsFast(
  topology: LabTopology,
  password: string,
  log: (line: string) => void,
): Promise<void> {
  const wrong = `${password}-wrong`;
  const attempt = await outsideSmoke(topology, wrong, log);
  if (attempt.exitCode !== 4) throw new Error(`expected exit code 4 (authentication failed), got ${attempt.exitCode}`);
  if (!/authentication failed/.test(attempt.output) || !/OUTSIDE/.test(attempt.output))
    throw new Error("the message does not say authentication failed on OUTSIDE");
  if (attempt.ms > 10_000) throw new Error(`took ${(attempt.ms / 1000).toFixed(1)}s, more than 10 s`);
  if (attempt.output.includes(wrong)) throw new Error("the smoke test printed the password it tried");
  const anonymous = await outsideSmoke(topology, undefined, log);
  if (anonymous.exitCode === 0) throw new Error("a client without any login got through the OUTSIDE listener");
}

/** The password must not be in any container's env, command or labels, nor in their logs. */
export async function passwordNowhere(
  topology: LabTopology,
  ids: Map<string, string>,
  password: string,
  log: (line: string) => void,
): Promise<void> {
  for (const spec of topology.containers) {
    const id = ids.get(spec.key)!;
    const info = await inspectContainer(id);
    const config = JSON.stringify({
      env: info.Config.Env,
      cmd: info.Config.Cmd,
      args: info.Args,
      labels: info.Config.Labels,
    });
    if (config.includes(password)) throw new Error(`the password is in the configuration of ${spec.key}`);
    if ((await logsTail(id, 100000)).includes(password)) throw new Error(`the password is in the log of ${spec.key}`);
  }
  log(`  checked ${topology.containers.length} containers: env, command, labels and logs hold no password`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** The password is a Pulumi secret: encrypted in this machine's stack file and in the state, in clear in neither. */
export function passwordNotInClear(stack: LabStack, password: string, log: (line: string) => void): void {
  const files = [stack.configFile, ...filesUnder(join(stack.stateDir, ".pulumi"))];
  for (const file of files) {
    if (readFileSync(file).includes(password)) throw new Error(`the password is in clear in ${file}`);
  }
  if (!readFileSync(stack.configFile, "utf8").includes("kafka-lab:outsidePassword:\n    secure: ")) {
    throw new Error(`${stack.configFile} holds no encrypted kafka-lab:outsidePassword`);
  }
  log(
    `  checked ${files.length} files (the machine's stack file, the state and its backups): the password is encrypted, never in clear`,
  );
}

/**
 * Samples every process's command line (/proc/<pid>/cmdline: on Linux a container's processes are the host's)
 * until stopped; resolves to the pids whose arguments held one of `secrets`, and how many samples it took.
 */
function watchCommandLines(secrets: readonly string[]): { stop: () => Promise<{ seenIn: string[]; samples: number }> } {
  let running = true;
  const seenIn = new Set<string>();
  let samples = 0;
  const sample = async (): Promise<void> => {
    for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      const args = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => ""); // gone meanwhile
      if (secrets.some((secret) => args.includes(secret))) seenIn.add(`${pid} (${args.split("\0")[0]})`);
    }
    samples++;
  };
  const loop = (async () => {
    while (running) await sample();
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { seenIn: [...seenIn], samples };
    },
  };
}

/**
 * A new password set the way the README says (a secret in this machine's stack file) and `up`: the new one logs in,
 * the old one no longer does, and neither was on any process's command line while the brokers' user was made again.
 * Not set back: the lab's last checks (a preview that plans nothing, destroy) then run on the changed login.
 */
export async function passwordChanges(lab: ProvisionedLab, password: string, log: Log): Promise<void> {
  const changed = `${password}-new`;
  await lab.stack.setSecret("outsidePassword", changed);
  const watch = watchCommandLines([password, changed]);
  const failed = await lab.stack.up().then(
    () => undefined,
    (error: unknown) => error,
  );
  const { seenIn, samples } = await watch.stop();
  if (failed) throw failed;
  log(`  up with the password changed: ${samples} samples of every process's command line`);
  if (seenIn.length > 0) throw new Error(`the password was on the command line of ${seenIn.join(", ")}`);
  await loginWorks(lab.topology, changed, log);
  const old = await outsideSmoke(lab.topology, password, log);
  if (old.exitCode !== 4) throw new Error(`the old password still logs in (exit ${old.exitCode}, expected 4)`);
}
