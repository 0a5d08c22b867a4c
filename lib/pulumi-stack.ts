// The one way kafka-lab drives Pulumi: the lab:* scripts, the smoke tests, the end-to-end tests, the benchmark and
// startLab() all open a LabStack and call up / preview / refresh / destroy through Pulumi's Automation API, which
// runs the real `pulumi` CLI with the program of infra/index.ts inline: this process serves Pulumi's language
// runtime, so no language-host binary is needed. State stays in .pulumi-state/ (no Pulumi account); every command
// gets this machine's copy of the stack file (see stack-files.ts), so the tracked files stay untouched. The
// Automation API and the program are imported when first needed: a refused config costs neither.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent, OutputMap, PreviewResult, Stack, UpResult } from "@pulumi/pulumi/automation/index.js";
import { $, which } from "zx";
import type { ConfigKey, LabConfig } from "../infra/model/config.js";
import { checkStackConfig } from "../infra/program/preflight.js";
import type { LabOutputs } from "../infra/model/topology.js";
import { parseLabOutputs } from "./lab-outputs.js";
import { projectName, projectRoot } from "./paths.js";
import {
  formatStackFile,
  machineStackFile,
  parseStackFile,
  readTrackedStackFile,
  stackFileValues,
  type ConfigValue,
  type StackFile,
} from "./stack-files.js";

export { projectRoot };
export const defaultStateDir = join(projectRoot, ".pulumi-state");
/** The Node.js that @pulumi/pulumi needs to run the program. */
export const MIN_NODE_MAJOR = 22;

/** Thrown when something the lab needs on this machine is missing; the message says what to install. */
export class MissingToolError extends Error {}

/** Checks for the pulumi CLI and a Node.js that can run the program; throws MissingToolError saying what to install. */
export async function requireToolchain(): Promise<void> {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < MIN_NODE_MAJOR) {
    throw new MissingToolError(
      `kafka-lab needs Node.js ${MIN_NODE_MAJOR} or newer (@pulumi/pulumi requires it); ` +
        `this is ${process.version}. Install a current Node.js and run the command again.`,
    );
  }
  if (!(await which("pulumi", { nothrow: true }))) {
    throw new MissingToolError(
      "the pulumi CLI is not on PATH. Install it (https://www.pulumi.com/docs/install/), " +
        "then run this command again. `npm test` needs no CLI.",
    );
  }
}

/** The stack: --stack flag, else KAFKA_LAB_STACK, else dev. */
export function stackName(argv: Record<string, unknown>): string {
  const stack =
    typeof argv.stack === "string" && argv.stack !== "" ? argv.stack : (process.env.KAFKA_LAB_STACK ?? "dev");
  if (!/^[A-Za-z0-9_.-]+$/.test(stack))
    throw new Error(`stack name "${stack}" may use only letters, digits, '_', '.' and '-'`);
  return stack;
}

/**
 * Environment for non-interactive pulumi runs. The file backend encrypts secrets with a passphrase: we use
 * PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE when the user set one, else a random passphrase
 * kept in <stateDir>/passphrase (mode 600, git-ignored), created on first use unless `create` is false
 * (readers such as the smoke tests never create one). Losing that file means the stack's secrets cannot be
 * decrypted; `pulumi destroy` of a lab still works.
 */
export function pulumiEnv(stateDir = defaultStateDir, { create = true } = {}): Record<string, string> {
  const env: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: "true" };
  env.PULUMI_BACKEND_URL = process.env.PULUMI_BACKEND_URL ?? `file://${stateDir}`;
  if (process.env.PULUMI_CONFIG_PASSPHRASE !== undefined || process.env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined)
    return env;
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

/** The program LabStack runs inline: the default export of Pulumi.yaml's main, which plain `pulumi up` runs. */
export async function labProgram(): Promise<() => Promise<Record<string, unknown>>> {
  return (await import("../infra/index.js")).default;
}

/** Where this machine's copy of a stack's file lives. */
export function machineStackFilePath(stack: string, stateDir = defaultStateDir): string {
  return join(stateDir, "stacks", `Pulumi.${stack}.yaml`);
}

export interface LabStackOptions {
  stack: string;
  /**
   * The tracked stack file with the lab's settings, relative to the project root. Default: Pulumi.<stack>.yaml
   * when it exists. null: none (the overrides and the defaults of Pulumi.yaml only).
   */
  trackedFile?: string | null;
  /** Settings on top of the tracked file's (keys without the kafka-lab: prefix). */
  overrides?: Partial<Record<ConfigKey, ConfigValue>>;
  /** Secret settings (outsidePassword): checked by the preflight, stored encrypted in this machine's copy by open(). */
  secrets?: Partial<Record<ConfigKey, string>>;
  /** State, passphrase and this machine's stack files (default .pulumi-state/ in the project). */
  stateDir?: string;
  /** Where Pulumi's own progress output goes (default: this process's stdout). */
  output?: (chunk: string) => void;
}

/**
 * Counts of a preview's planned operations that change something: not "same", nor "read" (the program reads its own
 * stack's last outputs through a StackReference on every run).
 */
export function plannedChanges(preview: PreviewResult): Record<string, number> {
  return Object.fromEntries(
    Object.entries(preview.changeSummary).filter(([op, n]) => op !== "same" && op !== "read" && (n ?? 0) > 0),
  ) as Record<string, number>;
}

/** A resource as the stack's state holds it; `provider` is "<provider urn>::<provider id>" for custom resources. */
export interface StateResource {
  urn: string;
  type: string;
  provider?: string;
  inputs?: Record<string, unknown>;
}

export class LabStack {
  readonly name: string;
  readonly stateDir: string;
  /** This machine's copy of the stack file, passed to every command with --config-file. */
  readonly configFile: string;
  private readonly env: Record<string, string>;
  private readonly output: (chunk: string) => void;
  private stack: Stack | undefined;
  private checked: Promise<LabConfig> | undefined;

  constructor(private readonly options: LabStackOptions) {
    this.name = options.stack;
    this.stateDir = options.stateDir ?? defaultStateDir;
    this.configFile = machineStackFilePath(this.name, this.stateDir);
    this.env = pulumiEnv(this.stateDir);
    this.output = options.output ?? ((chunk) => process.stdout.write(chunk));
  }

  /** The tracked stack file's path relative to the project root, or undefined when there is none. */
  get trackedFile(): string | undefined {
    if (this.options.trackedFile === null) return undefined;
    const file = this.options.trackedFile ?? `Pulumi.${this.name}.yaml`;
    if (existsSync(join(projectRoot, file))) return file;
    if (this.options.trackedFile !== undefined) throw new Error(`stack file ${file} does not exist`);
    return undefined;
  }

  /** Selects the stack, creating it (without touching the tracked files) when it does not exist yet. */
  async open(): Promise<this> {
    mkdirSync(join(this.stateDir, "stacks"), { recursive: true, mode: 0o700 });
    const { LocalWorkspace, Stack, StackNotFoundError } = await import("@pulumi/pulumi/automation/index.js");
    const program = await labProgram();
    // workDir is the project root: Pulumi.yaml is there, and the dynamic-provider plugin finds node_modules there.
    const workspace = await LocalWorkspace.create({ workDir: projectRoot, envVars: this.env, program });
    try {
      this.stack = await Stack.select(this.name, workspace);
    } catch (error) {
      if (!(error instanceof StackNotFoundError)) throw error;
      this.seedFromNewStack();
      this.stack = await Stack.select(this.name, workspace);
    }
    this.writeConfigFile();
    for (const [key, value] of Object.entries(this.options.secrets ?? {}))
      if (value !== undefined) await this.setSecret(key as ConfigKey, value);
    return this;
  }

  /**
   * `pulumi stack init` writes the new stack's encryption salt into Pulumi.<stack>.yaml of the folder it runs in:
   * run it in a scratch folder holding only Pulumi.yaml, and start this machine's copy with that salt (a copy left
   * by an earlier stack of this name keeps its own salt, which the same passphrase still opens).
   */
  private seedFromNewStack(): void {
    const scratch = mkdtempSync(join(tmpdir(), "kafka-lab-stack-"));
    try {
      copyFileSync(join(projectRoot, "Pulumi.yaml"), join(scratch, "Pulumi.yaml"));
      execFileSync("pulumi", ["stack", "init", this.name, "--secrets-provider", "passphrase", "--non-interactive"], {
        cwd: scratch,
        env: { ...process.env, ...this.env },
        stdio: ["ignore", "ignore", "pipe"],
      });
      if (existsSync(this.configFile)) return;
      const { config: _none, ...salt } = parseStackFile(
        readFileSync(join(scratch, `Pulumi.${this.name}.yaml`), "utf8"),
      );
      writeFileSync(this.configFile, formatStackFile(salt, undefined), { mode: 0o600 });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /** This machine's copy as it is about to be written: the tracked file and the overrides, its salt and secrets. */
  private machineFile(): StackFile {
    const tracked = this.trackedFile;
    const trackedDoc: StackFile | undefined = tracked ? readTrackedStackFile(tracked) : undefined;
    const previous = existsSync(this.configFile) ? parseStackFile(readFileSync(this.configFile, "utf8")) : undefined;
    return machineStackFile(trackedDoc, previous, this.options.overrides, tracked);
  }

  /** Rewrites this machine's copy from the tracked file and the overrides, keeping its salt and secrets. */
  writeConfigFile(): void {
    writeFileSync(this.configFile, formatStackFile(this.machineFile(), this.trackedFile), { mode: 0o600 });
  }

  /**
   * The checks the program runs first (infra/program/preflight.ts), on the settings `up` would hand it, before Pulumi
   * starts: a ConfigError names every problem. Needs no open stack; once per LabStack. Secrets are decrypted by
   * `pulumi config` (they exist only in a copy that an opened stack wrote).
   */
  preflight(): Promise<LabConfig> {
    this.checked ??= (async () => {
      const { values, plaintextKeys, secretKeys } = stackFileValues(this.machineFile());
      const given: Record<string, string | undefined> = this.options.secrets ?? {};
      for (const key of secretKeys) values[key] = given[key] ?? (await this.secretValue(key));
      for (const [key, value] of Object.entries(given)) if (value !== undefined) values[key] = value;
      return checkStackConfig(values, plaintextKeys, { project: projectName(), stack: this.name });
    })();
    return this.checked;
  }

  /** A secret of this machine's copy, decrypted by `pulumi config get` (captured, never printed). */
  private async secretValue(key: string): Promise<string> {
    const args = ["config", "get", `kafka-lab:${key}`, "--config-file", this.configFile, "--stack", this.name];
    const env = { ...process.env, ...this.env };
    return (await $({ cwd: projectRoot, env, quiet: true })`pulumi ${args}`).stdout.replace(/\n$/, "");
  }

  /** The open stack, with this machine's copy of the stack file written afresh (the tracked file may have changed). */
  private get opened(): Stack {
    if (!this.stack) throw new Error(`stack ${this.name} is not open (call open() first)`);
    this.writeConfigFile();
    return this.stack;
  }

  private get common() {
    return { configFile: this.configFile, onOutput: this.output, onError: this.output, color: "never" as const };
  }

  /** Stores a secret in this machine's copy; the value goes to pulumi on stdin, never on a command line. */
  async setSecret(key: ConfigKey, value: string): Promise<void> {
    const args = [
      "config",
      "set",
      "--secret",
      `kafka-lab:${key}`,
      "--config-file",
      this.configFile,
      "--stack",
      this.name,
      "--non-interactive",
    ];
    await $({ cwd: projectRoot, env: { ...process.env, ...this.env }, input: value, quiet: true })`pulumi ${args}`;
  }

  /** The resources in the stack's state (`pulumi stack export`; secrets stay encrypted). */
  async resources(): Promise<StateResource[]> {
    const exported = await this.opened.exportStack();
    return ((exported.deployment as { resources?: StateResource[] }).resources ?? []).map(
      ({ urn, type, provider, inputs }) => ({ urn, type, provider, inputs }),
    );
  }

  // showSecrets: false everywhere: Automation API's summary otherwise runs `pulumi stack history --show-secrets`,
  // which knows no --config-file and would write a salt into the tracked stack file.
  // checkFirst: false skips the preflight, so that tests reach the program's own check, which plain `pulumi up` has.
  async up({
    refresh = false,
    checkFirst = true,
    onEvent,
  }: { refresh?: boolean; checkFirst?: boolean; onEvent?: (event: EngineEvent) => void } = {}): Promise<UpResult> {
    if (checkFirst) await this.preflight();
    return this.opened.up({ ...this.common, refresh, showSecrets: false, ...(onEvent ? { onEvent } : {}) });
  }

  /** Whether the stack holds a lab now (outputs of an up that was not destroyed since). */
  async hasLab(): Promise<boolean> {
    return Object.keys(await this.opened.outputs()).length > 0;
  }

  async preview({ refresh = false, checkFirst = true } = {}): Promise<PreviewResult> {
    if (checkFirst) await this.preflight();
    return this.opened.preview({ ...this.common, refresh });
  }

  async refresh(): Promise<void> {
    await this.opened.refresh({ ...this.common, showSecrets: false });
  }

  async destroy(): Promise<void> {
    await this.opened.destroy({ ...this.common, showSecrets: false });
  }

  /** Every output of the lab, in one call, checked against what the services declare. */
  async outputs(): Promise<LabOutputs> {
    const outputs: OutputMap = await this.opened.outputs();
    const values = Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
    return parseLabOutputs(values, `stack ${this.name}`);
  }

  /** Removes the stack and this machine's copy of its stack file (after destroy). */
  async remove(): Promise<void> {
    // preserveConfig: `pulumi stack rm` would otherwise delete the tracked Pulumi.<stack>.yaml.
    await this.opened.workspace.removeStack(this.name, { preserveConfig: true });
    rmSync(this.configFile, { force: true });
  }
}
