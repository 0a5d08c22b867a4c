// Reads the lab's Pulumi stack outputs for the smoke tests (only when no flag or env var gave them): all of them in
// one `pulumi stack output --json`, once per process.
//
// lib/pulumi-stack.ts (and with it @pulumi/pulumi) is loaded only when a value is read from the stack: inside.ts
// bundles round-trip.ts and services.ts into one file for its client container, which has neither the pulumi CLI
// nor that module, and gets every value as a flag.

import { $, which } from "zx";
import { parseLabOutputs } from "../lib/lab-outputs.js";
import { projectRoot } from "../lib/paths.js";
import type { LabOutputs } from "../infra/model/topology.js";
import { UsageError } from "./errors.js";

export { projectRoot };

/** lib/pulumi-stack.ts, once the pulumi CLI is known to be there. */
async function pulumiStack(what: string, stack: string, alternative: string) {
  if (!(await which("pulumi", { nothrow: true }))) {
    throw new UsageError(
      `the pulumi CLI is not on PATH, so ${what} of stack ${stack} cannot be read: pass ${alternative}`,
    );
  }
  return import("../lib/pulumi-stack.js");
}

async function pulumiRead(
  args: string[],
  what: string,
  stack: string,
  alternative: string,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const { pulumiEnv } = await pulumiStack(what, stack, alternative);
  const env = { ...process.env, ...pulumiEnv(undefined, { create: false }) };
  return $({
    cwd: projectRoot,
    env,
    nothrow: true,
    quiet: true,
    timeout: "60s",
  })`pulumi ${args} --stack ${stack} --non-interactive`;
}

const read = new Map<string, Promise<LabOutputs>>();

async function readOutputs(stack: string, alternative: string): Promise<LabOutputs> {
  const result = await pulumiRead(["stack", "output", "--json"], "the outputs", stack, alternative);
  const why = result.stderr.trim().split("\n").filter(Boolean).at(-1) ?? `exit code ${String(result.exitCode)}`;
  const failed = (reason: string) =>
    new UsageError(
      `cannot read the outputs of stack ${stack} (${reason}). Is the lab up ('npm run lab:up')? Or pass ${alternative}`,
    );
  if (result.exitCode !== 0) throw failed(why);
  const outputs: unknown = JSON.parse(result.stdout || "{}");
  if (typeof outputs === "object" && outputs !== null && Object.keys(outputs).length === 0)
    throw new UsageError(
      `stack ${stack} holds no lab (never up, or destroyed): start it with npm run lab:up -- --stack ${stack}, or pass ${alternative}`,
    );
  try {
    return parseLabOutputs(outputs, `stack ${stack}`);
  } catch (error) {
    throw failed((error as Error).message);
  }
}

/**
 * Every output of the stack (`pulumi stack output --json`, once per stack and process). Throws UsageError (exit 2)
 * naming `alternative` (the flag / env var that avoids pulumi) when the CLI is missing or the outputs cannot be read.
 */
export function stackOutputs(stack: string, alternative: string): Promise<LabOutputs> {
  if (!read.has(stack)) read.set(stack, readOutputs(stack, alternative));
  return read.get(stack)!;
}

/** One output of the stack; an empty string output is refused (naming `alternative`) unless `allowEmpty`. */
export async function stackOutput<N extends keyof LabOutputs>(
  name: N,
  stack: string,
  alternative: string,
  { allowEmpty = false } = {},
): Promise<LabOutputs[N]> {
  const value = (await stackOutputs(stack, alternative))[name];
  if (value === "" && !allowEmpty) {
    throw new UsageError(
      `output '${name}' of stack ${stack} is empty. Is the lab up ('npm run lab:up')? Or pass ${alternative}`,
    );
  }
  return value;
}

/**
 * A secret of the stack's config (this machine's copy of the stack file), decrypted with the lab's passphrase
 * (`pulumi config get`), for the process itself: captured, never printed. Throws UsageError naming `alternative`
 * when it cannot be read.
 */
export async function stackConfigSecret(key: string, stack: string, alternative: string): Promise<string> {
  const { machineStackFilePath } = await pulumiStack(`kafka-lab:${key}`, stack, alternative);
  const args = ["config", "get", `kafka-lab:${key}`, "--config-file", machineStackFilePath(stack)];
  const result = await pulumiRead(args, `kafka-lab:${key}`, stack, alternative);
  const value = result.stdout.replace(/\n$/, "");
  if (result.exitCode !== 0 || value === "")
    throw new UsageError(`cannot read kafka-lab:${key} of stack ${stack}: set ${alternative}`);
  return value;
}
