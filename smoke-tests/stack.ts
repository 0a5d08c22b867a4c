// Reads the lab's Pulumi stack outputs for the smoke tests (only when no flag or env var gave them).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { $, which } from "zx";
import { UsageError } from "./errors.js";

export const projectRoot = fileURLToPath(new URL("../", import.meta.url));

/**
 * The environment pulumi needs to read a stack of this project without prompts: the project's file
 * backend (.pulumi-state) and the passphrase the lab:* scripts keep there, unless the user set their own.
 */
function pulumiEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" };
  const stateDir = join(projectRoot, ".pulumi-state");
  env.PULUMI_BACKEND_URL ??= `file://${stateDir}`;
  const passphrase = join(stateDir, "passphrase");
  if (env.PULUMI_CONFIG_PASSPHRASE === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined && existsSync(passphrase)) {
    env.PULUMI_CONFIG_PASSPHRASE_FILE = passphrase;
  }
  return env;
}

/**
 * `pulumi stack output <name> --stack <stack>`. Throws UsageError (exit 2) naming `alternative`
 * (the flag / env var that avoids pulumi) when the CLI is missing or the output cannot be read.
 */
export async function stackOutput(name: string, stack: string, alternative: string): Promise<string> {
  if (!(await which("pulumi", { nothrow: true }))) {
    throw new UsageError(`the pulumi CLI is not on PATH, so the ${name} of stack ${stack} cannot be read: pass ${alternative}`);
  }
  const result = await $({ cwd: projectRoot, env: pulumiEnv(), nothrow: true, quiet: true, timeout: "60s" })`pulumi stack output ${name} --stack ${stack} --non-interactive`;
  const value = result.stdout.trim();
  if (result.exitCode !== 0 || value === "") {
    const why = result.stderr.trim().split("\n").filter(Boolean).at(-1) ?? `exit code ${String(result.exitCode)}`;
    throw new UsageError(
      `cannot read '${name}' of stack ${stack} (${why}). Is the lab up ('npm run lab:up')? Or pass ${alternative}`,
    );
  }
  return value;
}
