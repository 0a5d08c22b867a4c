// `npm run lab:status` against a real lab: its text names every broker, the controller, every declared topic with
// its partitions and a consumer group's lag; --json is the same status for scripts; a destroyed lab gets a message
// and exit code 3.

import type { LabStatus } from "../../lib/lab-status.js";
import type { Log } from "./containers.js";
import type { ProvisionedLab } from "./pulumi-lab.js";
import { runNodeScript } from "./smoke.js";

export async function labStatusShowsTheLab(lab: ProvisionedLab, log: Log): Promise<void> {
  const { topology, stack } = lab;
  const text = await runNodeScript(["scripts/lab-status.ts", "--stack", stack.name], log);
  if (text.exitCode !== 0) throw new Error(`lab:status exited with ${text.exitCode}`);
  const json = await runNodeScript(["scripts/lab-status.ts", "--stack", stack.name, "--json"], () => undefined);
  const status = JSON.parse(json.stdout) as LabStatus;
  const brokers = topology.containers.filter((c) => c.role === "broker").length;
  if (status.brokers.length !== brokers)
    throw new Error(`lab:status lists ${status.brokers.length} brokers, not ${brokers}`);
  // Each run asks anew, and a KRaft cluster answers clients with any live broker as its "controller": the id must be
  // one of the brokers in both runs, not the same one.
  const ids = status.brokers.map((b) => b.id);
  const shown = /controller: (\d+)/.exec(text.stdout)?.[1];
  if (status.controller === null || !ids.includes(status.controller) || !ids.includes(Number(shown)))
    throw new Error(`lab:status names no controller among the brokers (text: ${shown}, json: ${status.controller})`);
  for (const topic of topology.topics) {
    const shown = status.topics.find((t) => t.name === topic.name);
    if (shown?.partitions.length !== topic.partitions)
      throw new Error(
        `lab:status shows ${topic.name} with ${shown?.partitions.length} partitions, not ${topic.partitions}`,
      );
    if (shown.partitions.some((p) => p.replicas.length !== topic.replicationFactor || p.leader < 0))
      throw new Error(`lab:status shows ${topic.name} without a leader or with other replicas`);
  }
  const lagging = status.groups.find((g) => g.lag.length > 0);
  if (!lagging) throw new Error("lab:status shows no consumer group with committed offsets (the smoke tests commit)");
  if (!text.stdout.includes(`${lagging.id}: ${lagging.state}`)) throw new Error(`the text does not show ${lagging.id}`);
}

/** A stack without a lab (never made): lab:status says so, exit code 3. */
export async function labStatusOfNoLab(stack: string, log: Log): Promise<void> {
  const run = await runNodeScript(["scripts/lab-status.ts", "--stack", stack], log);
  if (run.exitCode !== 3 || !/cannot read the outputs of stack .*no stack named .*Is the lab up/s.test(run.output))
    throw new Error(`lab:status of a destroyed lab exited with ${run.exitCode}: ${run.output.slice(0, 300)}`);
}
