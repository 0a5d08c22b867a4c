// Persistence, through Pulumi: with `persistence` and `keepVolumes`, messages and a consumer group's committed
// offsets survive `pulumi destroy` and a new `pulumi up` (every container re-created on the kept volumes), and
// survive restarting every container in place (docker stop with the grace period, then start). Afterwards
// `keepVolumes: false` and `pulumi destroy` remove the volumes too.

import { randomUUID } from "node:crypto";
import { dockerVolumes } from "../../infra/docker/volumes.js";
import { findLabelled } from "../../lib/docker.js";
import { LAB_LABEL } from "../../infra/model/topology.js";
import type { CheckRunner } from "./checks.js";
import { consume, expectCounters, produce } from "./messages.js";
import { containerIdsOf, restartInPlace, type Log } from "./containers.js";
import { destroyLab, expectNoChanges, labStackOf, openStack, topologyOf, type LabDefinition } from "./pulumi-lab.js";

async function volumesOf(labName: string): Promise<string[]> {
  return (await findLabelled({ [LAB_LABEL]: labName })).filter((name) => name.startsWith("volume "));
}

/** The persistence lab, start to end; each phase a check. `definition` must set persistence and keepVolumes. */
export async function persistenceChecks(checks: CheckRunner, definition: LabDefinition, log: Log): Promise<void> {
  const topology = topologyOf(definition);
  const bootstrap = topology.outputs.bootstrapServers.value;
  const topic = topology.topics[0]!.name;
  const run = randomUUID();
  const group = `persistence-${run}`;
  const title = definition.title;
  const stack = await openStack(definition, log);
  try {
    const made = await checks.run(`${title}: pulumi up, then a group consumes and commits 50 messages`, async () => {
      await stack.up();
      await produce(bootstrap, topic, run, 0, 50);
      expectCounters("before destroy", await consume(bootstrap, topic, run, group, 50), 0, 50);
      await produce(bootstrap, topic, run, 50, 70);
      log(`  group ${group} consumed and committed 50 messages; 20 more produced`);
    });
    if (!made) return;
    const recreated = await checks.run(
      `${title}: pulumi destroy keeps the volumes (keepVolumes); pulumi up re-creates every container on them; messages and committed offsets are there`,
      async () => {
        const before = await containerIdsOf(topology);
        await stack.destroy();
        const kept = await volumesOf(topology.labName);
        log(`  after pulumi destroy: ${kept.join(", ")} kept`);
        const volumes = dockerVolumes(topology);
        if (kept.length !== volumes.length)
          throw new Error(`expected ${volumes.length} volumes kept, found ${kept.length}`);
        await stack.up();
        const after = await containerIdsOf(topology);
        const reused = [...after].filter(([key, id]) => before.get(key) === id).map(([key]) => key);
        if (reused.length > 0) throw new Error(`${reused.join(", ")} were not re-created`);
        const resumed = await consume(bootstrap, topic, run, group, 20, 20000);
        log(`  the same group resumed with ${resumed.length} messages (${resumed[0]}..${resumed.at(-1)})`);
        expectCounters("the group's committed offsets after re-creating", resumed, 50, 70);
        expectCounters(
          "a fresh group from earliest",
          await consume(bootstrap, topic, run, `${group}-fresh`, 70),
          0,
          70,
        );
        log("  a fresh group reads all 70 messages back from earliest");
      },
    );
    if (!recreated) return;
    await checks.run(
      `${title}: every container restarted in place (docker stop, docker start); messages and committed offsets survive; pulumi plans no changes`,
      async () => {
        await produce(bootstrap, topic, run, 70, 90);
        const ids = await containerIdsOf(topology);
        await restartInPlace(topology, ids, log);
        await expectNoChanges(stack, log);
        const same = await containerIdsOf(topology);
        if ([...ids].some(([key, id]) => same.get(key) !== id)) throw new Error("the restart replaced a container");
        const afterRestart = await consume(bootstrap, topic, run, group, 20, 20000);
        log(
          `  the same group resumed with ${afterRestart.length} messages (${afterRestart[0]}..${afterRestart.at(-1)})`,
        );
        expectCounters("the group's committed offsets after the restart", afterRestart, 70, 90);
        expectCounters(
          "a fresh group from earliest after the restart",
          await consume(bootstrap, topic, run, `${group}-fresh-after-restart`, 90),
          0,
          90,
        );
        log("  a fresh group reads all 90 messages back from earliest");
      },
    );
  } finally {
    await checks.run(
      `${title}: with keepVolumes false, pulumi destroy removes the containers, the network and the volumes`,
      async () => {
        const release = await labStackOf(
          { ...definition, overrides: { ...definition.overrides, keepVolumes: false } },
          log,
        ).open();
        try {
          await release.up();
        } finally {
          await destroyLab(release, topology, log);
        }
      },
    );
  }
}
