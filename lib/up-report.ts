// What `npm run lab:up` says it did, from Pulumi's own engine events: on a lab that existed, every resource it
// re-created, updated or removed (what the refresh found changed by hand, and what the config changed), and for a
// container found stopped, what it was found in; on a new lab, how many resources it made. Pure.

import type { EngineEvent, OpType } from "@pulumi/pulumi/automation/index.js";

/** A finished step that changed something: its operation, the resource's name and type, and what it was found in. */
export interface Change {
  op: OpType;
  name: string;
  type: string;
  /** A container's health wait found it not running or unhealthy (ContainerHealthy's `observed`). */
  found?: string;
}

const CHANGING: ReadonlySet<OpType> = new Set(["create", "update", "replace", "delete", "create-replacement"]);

/** The steps of an up that changed a resource (not the same, read or refresh ones, nor the stack itself). */
export function changesOf(events: readonly EngineEvent[]): Change[] {
  const changes: Change[] = [];
  for (const event of events) {
    const step = event.resOutputsEvent?.metadata;
    if (!step || !CHANGING.has(step.op) || step.type === "pulumi:pulumi:Stack") continue;
    const found = step.old?.outputs?.observed;
    changes.push({
      op: step.op,
      name: step.urn.slice(step.urn.lastIndexOf("::") + 2),
      type: step.type.replace(/^.*[:/]/, ""),
      ...(typeof found === "string" && found !== "healthy" ? { found } : {}),
    });
  }
  return changes;
}

const VERB: Partial<Record<OpType, string>> = {
  create: "created",
  update: "updated",
  replace: "replaced",
  "create-replacement": "replaced",
  delete: "deleted",
};

/** The report's lines: `existed` tells a lab that was there before (repairs, changes) from a new one. */
export function upReport(changes: readonly Change[], existed: boolean): string[] {
  if (!existed) return [`kafka-lab: made the lab (${changes.length} resources)`];
  if (changes.length === 0) return ["kafka-lab: nothing to repair or change: the lab was as declared"];
  const lines = changes
    .filter((c) => c.op !== "replace")
    .map((c) =>
      c.found
        ? `  ${c.name}: its container was found ${c.found}; started again, and healthy`
        : `  ${VERB[c.op] ?? c.op} ${c.name} (${c.type})`,
    );
  return ["kafka-lab: what pulumi up repaired or changed (found by its refresh, or asked by the config):", ...lines];
}
