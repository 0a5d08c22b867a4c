// Stack files. A tracked `Pulumi.<stack>.yaml` holds a lab's settings and is never written by kafka-lab. Pulumi
// writes an encryption salt (which belongs to one passphrase) and the encrypted secrets into the stack file it is
// given, so every pulumi command kafka-lab runs gets this machine's own copy instead (--config-file
// .pulumi-state/stacks/Pulumi.<stack>.yaml, git-ignored): the tracked settings, then any overrides, then the
// salt and secrets that only this machine's copy keeps. A fresh clone stays clean after `npm run lab:up`, and
// each clone may use its own passphrase.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import {
  CONFIG_KEYS,
  CONFIG_NAMESPACE,
  type ConfigKey,
  type LabConfig,
  type RawConfig,
} from "../infra/model/config.js";
import { parseLabConfig } from "../infra/model/checks.js";
import { readProjectFile } from "../infra/program/project-files.js";
import { projectRoot } from "./paths.js";

/** A setting's value: what Pulumi.yaml's types allow (lists of strings or of maps, maps). */
export type ConfigValue =
  string | number | boolean | string[] | Array<Record<string, unknown>> | Record<string, unknown>;

/** A stack file as YAML: `config` plus Pulumi's own keys (encryptionsalt, secretsprovider, encryptedkey, ...). */
export interface StackFile {
  config?: Record<string, unknown>;
  [pulumiKey: string]: unknown;
}

/** Thrown when a tracked stack file holds what only this machine's copy may hold. */
export class StackFileError extends Error {}

function isSecure(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

export function parseStackFile(text: string): StackFile {
  const doc = (parse(text) ?? {}) as StackFile;
  if (typeof doc !== "object" || Array.isArray(doc)) throw new StackFileError("a stack file must be a YAML mapping");
  return doc;
}

/** A tracked stack file of the project, such as Pulumi.ci.yaml. */
export function readTrackedStackFile(file: string): StackFile {
  return parseStackFile(readFileSync(join(projectRoot, file), "utf8"));
}

/** The kafka-lab settings of a stack file as Pulumi hands them to the program: strings, lists as JSON text. */
export function rawConfigOf(file: StackFile): Record<string, string> {
  return stackFileValues(file).values;
}

/**
 * A stack file's kafka-lab settings as Pulumi hands them to the program (`values`: strings, lists as JSON text; the
 * secrets left out, as they are encrypted), the keys it holds in plain text, and those it holds as secrets.
 */
export function stackFileValues(file: StackFile): {
  values: Record<string, string>;
  plaintextKeys: string[];
  secretKeys: string[];
} {
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [fullKey, value] of Object.entries(file.config ?? {})) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    if (isSecure(value)) secretKeys.push(key);
    else values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { values, plaintextKeys: Object.keys(values), secretKeys };
}

/** Settings as Pulumi hands them to the program: strings, lists as JSON text. */
export function rawSettings(settings: Partial<Record<string, ConfigValue>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings)
      .filter(([, v]) => v !== undefined)
      .map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
}

/** A tracked stack file's settings with overrides (raw strings, as in RawConfig), parsed and validated. */
export function configFromStackFile(file: string, overrides: RawConfig = {}): LabConfig {
  return parseLabConfig({ ...rawConfigOf(readTrackedStackFile(file)), ...overrides }, { readFile: readProjectFile });
}

/** A value as its key's declared type, so Pulumi's check of the project's config types accepts it. */
export function typedValue(key: ConfigKey, value: ConfigValue): ConfigValue {
  if (typeof value !== "string") return value;
  switch (CONFIG_KEYS[key].type) {
    case "integer":
      return /^-?\d+$/.test(value) ? Number(value) : value;
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "array": {
      const parsed: unknown = value.startsWith("[") ? JSON.parse(value) : undefined;
      return Array.isArray(parsed) ? (parsed as string[]) : value;
    }
    case "object": {
      const parsed: unknown = value.startsWith("{") ? JSON.parse(value) : undefined;
      return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : value;
    }
    default:
      return value;
  }
}

/**
 * This machine's stack file: the tracked settings (`tracked`, named `trackedName` in messages), then
 * `overrides` (keys without the namespace), then the secrets and Pulumi's own keys of the `previous` copy.
 * Secrets in the tracked file are refused: they are encrypted with another copy's salt.
 */
export function machineStackFile(
  tracked: StackFile | undefined,
  previous: StackFile | undefined,
  overrides: Partial<Record<ConfigKey, ConfigValue>> = {},
  trackedName = "the tracked stack file",
): StackFile {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tracked?.config ?? {})) {
    if (isSecure(value)) {
      const bare = key.replace(`${CONFIG_NAMESPACE}:`, "");
      throw new StackFileError(
        `${trackedName} holds the secret ${key}, encrypted for that file alone; kafka-lab keeps secrets in this machine's ` +
          `copy so that they never reach git. Delete ${key} (and encryptionsalt) from ${trackedName}, then run: ` +
          `npm run lab:secret -- ${bare}`,
      );
    }
    config[key] = value;
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) config[`${CONFIG_NAMESPACE}:${key}`] = typedValue(key as ConfigKey, value);
  }
  for (const [key, value] of Object.entries(previous?.config ?? {})) {
    if (isSecure(value) && !(key in config)) config[key] = value;
  }
  const { config: _previousConfig, ...pulumiKeys } = previous ?? {};
  const machine: StackFile = { ...pulumiKeys };
  if (tracked?.environment !== undefined) machine.environment = tracked.environment;
  return Object.keys(config).length > 0 ? { config, ...machine } : machine;
}

export function formatStackFile(file: StackFile, trackedName: string | undefined): string {
  const from = trackedName ? `the settings of ${trackedName} plus` : "";
  const header =
    `# Written by kafka-lab before every pulumi command: ${from} this machine's encryption salt and secrets.\n` +
    "# Change settings in the tracked stack file; set secrets with: npm run lab:secret -- <key>\n";
  return header + stringify(file);
}
