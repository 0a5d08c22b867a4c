// Reads a Pulumi.<stack>.yaml the way Pulumi hands its values to the program: strings, lists as JSON.

import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, parseLabConfig, type LabConfig, type RawConfig } from "../../infra/config.js";

const root = new URL("../../", import.meta.url);

export function rawConfigFromStackFile(file: string): RawConfig {
  const doc = parse(readFileSync(new URL(file, root), "utf8")) as { config?: Record<string, unknown> };
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    if (!key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    raw[key.slice(CONFIG_NAMESPACE.length + 1)] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return raw;
}

export function configFromStackFile(file: string, overrides: Record<string, string> = {}): LabConfig {
  return parseLabConfig({ ...rawConfigFromStackFile(file), ...overrides });
}
