// Reads the lab's Pulumi stack outputs for the smoke tests (only when no flag or env var gave them).

import { $, which } from "zx";
import { projectRoot, pulumiEnv } from "../scripts/lib/pulumi.js";
import { UsageError } from "./errors.js";

export { projectRoot };

/**
 * `pulumi stack output <name> --stack <stack>`. Throws UsageError (exit 2) naming `alternative`
 * (the flag / env var that avoids pulumi) when the CLI is missing or the output cannot be read.
 */
export async function stackOutput(name: string, stack: string, alternative: string): Promise<string> {
  if (!(await which("pulumi", { nothrow: true }))) {
    throw new UsageError(`the pulumi CLI is not on PATH, so the ${name} of stack ${stack} cannot be read: pass ${alternative}`);
  }
  const result = await $({ cwd: projectRoot, env: pulumiEnv({ create: false }), nothrow: true, quiet: true, timeout: "60s" })`pulumi stack output ${name} --stack ${stack} --non-interactive`;
  const value = result.stdout.trim();
  if (result.exitCode !== 0 || value === "") {
    const why = result.stderr.trim().split("\n").filter(Boolean).at(-1) ?? `exit code ${String(result.exitCode)}`;
    throw new UsageError(
      `cannot read '${name}' of stack ${stack} (${why}). Is the lab up ('npm run lab:up')? Or pass ${alternative}`,
    );
  }
  return value;
}

/**
 * A secret of the stack's config, decrypted with the lab's passphrase (`pulumi config get`), for the process
 * itself: captured, never printed. Throws UsageError naming `alternative` when it cannot be read.
 */
export async function stackConfigSecret(key: string, stack: string, alternative: string): Promise<string> {
  if (!(await which("pulumi", { nothrow: true }))) {
    throw new UsageError(`the pulumi CLI is not on PATH, so kafka-lab:${key} of stack ${stack} cannot be read: set ${alternative}`);
  }
  const result = await $({ cwd: projectRoot, env: pulumiEnv({ create: false }), nothrow: true, quiet: true, timeout: "60s" })`pulumi config get kafka-lab:${key} --stack ${stack}`;
  const value = result.stdout.trim();
  if (result.exitCode !== 0 || value === "") throw new UsageError(`cannot read kafka-lab:${key} of stack ${stack}: set ${alternative}`);
  return value;
}
