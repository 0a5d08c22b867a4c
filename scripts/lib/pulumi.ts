// What the lab:* scripts share: where the project and its state live, the stack, and a pulumi CLI that
// runs without prompts. State stays in .pulumi-state/ (git-ignored); no Pulumi account is needed.

import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { $, which } from "zx";

export const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
export const stateDir = join(projectRoot, ".pulumi-state");

/** The stack: --stack flag, else KAFKA_LAB_STACK, else dev. */
export function stackName(argv: Record<string, unknown>): string {
  const stack = typeof argv.stack === "string" && argv.stack !== "" ? argv.stack : process.env.KAFKA_LAB_STACK ?? "dev";
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new Error(`stack name "${stack}" may use only letters, digits, '_', '.' and '-'`);
  return stack;
}

/** Exits with an install hint when the pulumi CLI is not on PATH. */
export async function requirePulumi(): Promise<void> {
  if (await which("pulumi", { nothrow: true })) return;
  console.error("kafka-lab: the pulumi CLI is not on PATH. Install it (https://www.pulumi.com/docs/install/), " +
    "then run this command again. `npm test` needs no CLI.");
  process.exit(2);
}

/**
 * Environment for non-interactive pulumi runs. The file backend encrypts secrets with a passphrase: we use
 * PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE when the user set one, else a random passphrase
 * kept in .pulumi-state/passphrase (mode 600, git-ignored), created on first use unless `create` is false
 * (readers such as the smoke tests never create one). Losing that file means the stack's secrets cannot be
 * decrypted; `pulumi destroy` of a lab still works.
 */
export function pulumiEnv({ create = true } = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" };
  env.PULUMI_BACKEND_URL ??= `file://${stateDir}`;
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined) return env;
  const file = join(stateDir, "passphrase");
  if (!existsSync(file)) {
    if (!create) return env;
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600 });
    console.log(`kafka-lab: created a secrets passphrase in ${file} (set PULUMI_CONFIG_PASSPHRASE to use your own)`);
  }
  chmodSync(file, 0o600);
  env.PULUMI_CONFIG_PASSPHRASE_FILE = file;
  return env;
}

/** Selects the stack, creating it with the passphrase secrets provider when it does not exist yet. */
export async function selectStack(stack: string): Promise<void> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const env = pulumiEnv();
  await $({ cwd: projectRoot, env })`pulumi stack select --create --secrets-provider passphrase ${stack} --non-interactive`;
}

/** Runs a pulumi command on the stack, streaming its output. */
export async function pulumi(stack: string, args: string[]): Promise<void> {
  const env = pulumiEnv();
  await $({ cwd: projectRoot, env, stdio: "inherit" })`pulumi ${args} --stack ${stack} --non-interactive`;
}
