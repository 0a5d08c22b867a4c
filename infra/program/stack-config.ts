// Reads the stack's kafka-lab:* settings as raw strings for parseLabConfig, and which of them the stack holds in
// plain text (so that a secret key set without --secret is refused).

import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, type RawConfig } from "../model/config.js";

export interface StackConfig {
  values: RawConfig;
  plaintextKeys: string[];
}

/** Whether Pulumi marked the key secret. @pulumi/pulumi exports this but marks it internal, so it is looked up here. */
function isConfigSecret(fullKey: string): boolean {
  const lookup = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  if (typeof lookup !== "function") {
    throw new Error(
      "this @pulumi/pulumi has no runtime.isConfigSecret, which kafka-lab needs to refuse a plain-text password",
    );
  }
  return lookup(fullKey);
}

export function readStackConfig(): StackConfig {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const values: Record<string, string> = {};
  const plaintextKeys: string[] = [];
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    values[key] = value;
    if (!isConfigSecret(fullKey)) plaintextKeys.push(key);
  }
  return { values, plaintextKeys };
}
