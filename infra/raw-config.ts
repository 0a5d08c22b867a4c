// Reads the stack's kafka-lab:* settings as raw strings for parseLabConfig.

import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, type RawConfig } from "./config.js";

export function readRawConfig(): RawConfig {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, string> = {};
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (fullKey.startsWith(prefix)) raw[fullKey.slice(prefix.length)] = value;
  }
  return raw;
}
