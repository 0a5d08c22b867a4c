// startLab(): a lab from code, in the spirit of Testcontainers' start()/stop(). It runs the very program that
// `pulumi up` and `npm run lab:up` run (infra/index.ts, inline through the Automation API), on a stack of its own,
// and resolves once every container is healthy and every setup step is done, to the lab's typed outputs and
// destroy(). Settings are checked by the same parser as a stack file's, before anything exists.

import { randomBytes } from "node:crypto";
import { ConfigError, type ConfigKey } from "../infra/model/config.js";
import type { LabOutputs } from "../infra/model/topology.js";
import { LabStack } from "./pulumi-stack.js";
import type { ConfigValue } from "./stack-files.js";

export interface StartLabOptions {
  /**
   * The stack the lab lives on; its containers, network and volumes are named `kafka-lab-<stack>-...`.
   * Default: `api-<6 random hex digits>`, a new lab each time.
   */
  stack?: string;
  /**
   * Settings, as a stack file's keys without the `kafka-lab:` prefix: `{ brokers: 3, topics: ["orders:3:3"] }`.
   * Default: none (each key's default; with `stackFile`, that file's settings).
   */
  config?: Partial<Record<ConfigKey, ConfigValue>>;
  /** A tracked stack file to start from, relative to the project root (`"Pulumi.kraft.yaml"`). Default: none. */
  stackFile?: string;
  /** Secret settings (`outsidePassword`): stored encrypted in this machine's copy of the stack file, never in `config`. */
  secrets?: Partial<Record<ConfigKey, string>>;
  /** Pulumi's progress output. Default: dropped (a failure's message still carries Pulumi's diagnostics). */
  output?: (chunk: string) => void;
  /** Pulumi state, passphrase and this machine's stack files. Default: `.pulumi-state/` in the project. */
  stateDir?: string;
}

export interface StartedLab {
  /** The stack's name (`npm run lab:status -- --stack <stack>` shows the lab). */
  readonly stack: string;
  /** Every stack output: `bootstrapServers`, `internalBootstrapServers`, `topics`, `networkName`, ... */
  readonly outputs: LabOutputs;
  /** `pulumi destroy`, then the stack is removed. Nothing of the lab is left (kept volumes aside: `keepVolumes`). */
  destroy(): Promise<void>;
}

/**
 * Makes a lab and resolves once it is ready. A bad setting rejects with a ConfigError naming the key, before
 * anything exists; a failed `pulumi up` destroys what it made before rejecting.
 */
export async function startLab(options: StartLabOptions = {}): Promise<StartedLab> {
  const stack = options.stack ?? `api-${randomBytes(3).toString("hex")}`;
  const lab = new LabStack({
    stack,
    trackedFile: options.stackFile ?? null,
    overrides: options.config ?? {},
    secrets: options.secrets ?? {},
    output: options.output ?? (() => undefined),
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
  });
  await lab.preflight().catch((error: unknown) => {
    throw error instanceof ConfigError ? error.withHint(codeHint(options.stackFile)) : error;
  });
  await lab.open();
  const destroy = async () => {
    await lab.destroy();
    await lab.remove();
  };
  try {
    await lab.up();
    return { stack, outputs: await lab.outputs(), destroy };
  } catch (error) {
    await destroy().catch(() => undefined);
    throw error;
  }
}

/** Where a startLab() caller changes a value: its options, not `pulumi config set`. */
function codeHint(stackFile: string | undefined): string {
  const file = stackFile ? ` (or in ${stackFile}, the stackFile it starts from)` : "";
  return `Change a value in startLab()'s config, its keys without the kafka-lab: prefix, or secrets${file}.`;
}

export { ConfigError };
