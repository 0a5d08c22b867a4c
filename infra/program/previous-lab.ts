// What the last `pulumi up` of this stack left: its lab plan and the brokers' addresses, read back from the stack's
// own outputs (a StackReference to itself, which the file backend answers from its checkpoint; a stack that was never
// up, or was destroyed, has none).

import * as pulumi from "@pulumi/pulumi";
import { parseLabPlan, type LabPlan } from "../model/lab-plan.js";

export interface PreviousLab {
  plan: LabPlan | undefined;
  /** The OUTSIDE addresses of the brokers the lab had. */
  bootstrapServers: string | undefined;
  /** The topics it declared. */
  topics: string[];
}

export async function readPreviousLab(): Promise<PreviousLab> {
  const self = new pulumi.StackReference(`organization/${pulumi.getProject()}/${pulumi.getStack()}`);
  const [plan, bootstrap, topics] = await Promise.all(
    ["labPlan", "bootstrapServers", "topics"].map((name) => self.getOutputDetails(name)),
  );
  return {
    plan: parseLabPlan(plan!.value),
    bootstrapServers: typeof bootstrap!.value === "string" ? bootstrap!.value : undefined,
    topics: Array.isArray(topics!.value) ? topics!.value.filter((t): t is string => typeof t === "string") : [],
  };
}
