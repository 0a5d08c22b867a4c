// The programmatic API (lib/start-lab.ts) as a test suite uses it, and bad input refused before Pulumi starts: a
// bad setting rejected by startLab() and by `npm run lab:up` before anything exists, its message printed once; a lab
// started from code, used through its typed outputs and destroyed.

import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { $ } from "zx";
import { ConfigError } from "../../infra/model/config.js";
import { labNameOf } from "../../infra/model/topology.js";
import { machineStackFilePath, projectRoot } from "../../lib/pulumi-stack.js";
import { startLab } from "../../lib/start-lab.js";
import type { CheckRunner } from "./checks.js";
import { leftoversOf, type Log } from "./containers.js";
import { PROJECT, pulumiOutputTo, type LabDefinition } from "./pulumi-lab.js";
import { smokeOutside } from "./smoke.js";

const BAD_STACK = "e2e-bad-input";
/** What a new user got wrong (issue: refusals came after 14-20 s and twice): each must be named once. */
const BAD_SETTINGS = ["  kafka-lab:brokers: three", "  kafka-lab:topics:", "    - topic_test:1:1:retention.ms=abc"];
const BAD_LINES = [/kafka-lab:brokers = "three": must be a whole number/, /retention\.ms of topic topic_test must be/];

/** Nothing of the stack exists: no container, network or volume, and no stack file of this machine. */
async function nothingOf(stack: string): Promise<void> {
  const left = await leftoversOf(labNameOf({ project: PROJECT, stack }));
  if (existsSync(machineStackFilePath(stack))) left.push(`this machine's stack file of ${stack}`);
  if (left.length > 0) throw new Error(`something was created: ${left.join(", ")}`);
}

/** `npm run lab:up` of a stack file with two bad settings: exit 1, each problem printed once, Pulumi never started. */
async function labUpRefuses(log: Log): Promise<void> {
  const file = join(projectRoot, `Pulumi.${BAD_STACK}.yaml`);
  writeFileSync(file, ["config:", ...BAD_SETTINGS, ""].join("\n"));
  try {
    const started = Date.now();
    const run = await $({
      cwd: projectRoot,
      nothrow: true,
      quiet: true,
    })`npm run --silent lab:up -- --stack ${BAD_STACK}`;
    const output = `${run.stdout}${run.stderr}`;
    log(`  npm run lab:up exited ${run.exitCode} after ${((Date.now() - started) / 1000).toFixed(1)}s:`);
    log(output.trim().replace(/^/gm, "  | "));
    if (run.exitCode !== 1) throw new Error(`exit code ${run.exitCode}, expected 1`);
    for (const line of BAD_LINES) {
      const times = output.split("\n").filter((l) => line.test(l)).length;
      if (times !== 1) throw new Error(`${line} is printed ${times} times, expected once`);
    }
    if (/Updating \(|Previewing update \(|Diagnostics:/.test(output)) throw new Error("pulumi up started");
    await nothingOf(BAD_STACK);
  } finally {
    rmSync(file, { force: true });
  }
}

/** startLab() with a bad setting: a ConfigError naming the key, before any stack or container exists. */
async function startLabRefuses(log: Log): Promise<void> {
  const stack = "e2e-api-refused";
  const failure = await startLab({ stack, config: { brokers: "three" } }).then(
    () => undefined,
    (error: Error) => error,
  );
  if (!(failure instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(failure)}`);
  log(`  ${failure.message.split("\n").join("\n  ")}`);
  if (!BAD_LINES[0]!.test(failure.message)) throw new Error("the refusal does not name kafka-lab:brokers");
  await nothingOf(stack);
}

/** startLab() of a lab (its stack file and settings): a round trip through its outputs, then destroy(). */
async function startLabRoundTrip(definition: LabDefinition, count: number, log: Log): Promise<void> {
  const started = Date.now();
  const lab = await startLab({
    stack: definition.stack,
    stackFile: definition.trackedFile,
    config: definition.overrides,
    output: pulumiOutputTo(log),
  });
  log(`  startLab resolved after ${((Date.now() - started) / 1000).toFixed(1)}s: ${lab.outputs.bootstrapServers}`);
  try {
    await smokeOutside(lab.outputs.bootstrapServers, lab.outputs.topics[0]!, count, log);
  } finally {
    await lab.destroy();
  }
  await nothingOf(definition.stack);
}

/** `lab`: a lab on the local images, in a port block of its own, that startLab() makes. */
/** A flag lab:up does not take: refused with its usage line, exit code 2, before anything else. */
async function unknownFlagRefused(log: Log): Promise<void> {
  const run = await $({ cwd: projectRoot, nothrow: true, quiet: true })`npm run --silent lab:up -- --refrsh`;
  const output = `${run.stdout}${run.stderr}`.trim();
  log(output.replace(/^/gm, "  | "));
  if (run.exitCode !== 2) throw new Error(`exit code ${run.exitCode}, expected 2`);
  if (!/unknown flag --refrsh/.test(output) || !/usage: npm run lab:up/.test(output))
    throw new Error("the refusal names neither the flag nor the usage");
}

export async function apiChecks(checks: CheckRunner, lab: LabDefinition, count: number, log: Log): Promise<void> {
  await checks.run("npm run lab:up -- --refrsh (a typo) is refused with lab:up's usage line, exit code 2", () =>
    unknownFlagRefused(log),
  );
  await checks.run(
    "npm run lab:up refuses brokers: three and retention.ms=abc before Pulumi starts: exit 1, each problem printed once, nothing created",
    () => labUpRefuses(log),
  );
  await checks.run("startLab() refuses brokers: three with a ConfigError naming the key; nothing created", () =>
    startLabRefuses(log),
  );
  await checks.run(
    "startLab() makes the tutorial lab; its typed outputs carry a round trip; destroy() leaves nothing, not even the stack",
    () => startLabRoundTrip(lab, count, log),
  );
}
