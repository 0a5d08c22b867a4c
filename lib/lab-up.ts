// What `npm run lab:up` does once the stack is open: `pulumi up` (with Pulumi's own --refresh unless asked not to,
// so that what was done to the lab by hand is found and repaired), then what it repaired or made, from the engine's
// events. The script and the e2e's heal checks run this.

import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import type { LabStack } from "./pulumi-stack.js";
import { changesOf, upReport } from "./up-report.js";

/** `pulumi up` on an opened stack; resolves to the report's lines. */
export async function upAndReport(lab: LabStack, { refresh = true } = {}): Promise<string[]> {
  const existed = await lab.hasLab();
  const events: EngineEvent[] = [];
  await lab.up({ refresh, onEvent: (event) => events.push(event) });
  return upReport(changesOf(events), existed);
}
