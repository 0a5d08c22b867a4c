// Two labs side by side without edits: the dev and cluster example stacks, whose files set no host port, are up at
// the same time; each chose its own block of ports on its first `pulumi up` and keeps it on the next; both smoke
// tests pass; both are destroyed and leave nothing.

import { runSmokeTests } from "../../lib/smoke.js";
import type { LabOutputs } from "../../infra/model/topology.js";
import type { CheckRunner } from "./checks.js";
import type { Log } from "./containers.js";
import { destroyLab, expectNoChanges, openStack, topologyOf, type LabDefinition } from "./pulumi-lab.js";
import type { LabStack } from "../../lib/pulumi-stack.js";

/** Host ports out of a lab's bootstrap servers. */
const portsOf = (outputs: LabOutputs) => outputs.bootstrapServers.split(",").map((a) => Number(a.split(":").at(-1)));

export async function sideBySide(checks: CheckRunner, labs: LabDefinition[], log: Log): Promise<void> {
  const opened: Array<{ definition: LabDefinition; stack: LabStack; outputs?: LabOutputs }> = [];
  try {
    const up = await checks.run(
      `side by side: ${labs.map((l) => l.trackedFile).join(" and ")} up at the same time, no port set, each its own ports`,
      async () => {
        for (const definition of labs) {
          const stack = await openStack(definition, log);
          opened.push({ definition, stack });
          await stack.up();
          const outputs = await stack.outputs();
          opened.at(-1)!.outputs = outputs;
          log(`  ${definition.stack}: bootstrapServers ${outputs.bootstrapServers}`);
        }
        const all = opened.flatMap((o) => portsOf(o.outputs!));
        if (new Set(all).size !== all.length) throw new Error(`the labs share host ports: ${all.join(", ")}`);
      },
    );
    if (!up) return;
    await checks.run("side by side: both labs' smoke tests pass, while both run", async () => {
      for (const { stack } of opened) {
        const failed = await runSmokeTests(stack.name);
        if (failed !== 0) throw new Error(`the smoke tests of ${stack.name} failed (exit ${failed})`);
      }
    });
    await checks.run("side by side: the next pulumi up keeps each lab's ports; a preview plans nothing", async () => {
      for (const lab of opened) {
        await lab.stack.up();
        const again = await lab.stack.outputs();
        if (again.bootstrapServers !== lab.outputs!.bootstrapServers)
          throw new Error(`${lab.stack.name} moved from ${lab.outputs!.bootstrapServers} to ${again.bootstrapServers}`);
        await expectNoChanges(lab.stack, log);
      }
    });
  } finally {
    for (const { definition, stack } of opened.reverse()) {
      await checks.run(`side by side: pulumi destroy of ${definition.stack} leaves nothing of it`, () =>
        destroyLab(stack, topologyOf(definition), log),
      );
    }
  }
}
