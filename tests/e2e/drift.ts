// Drift: a container removed by hand (docker rm -f -v, as a user tidying up would) is restored by
// `pulumi up --refresh`; the smoke tests pass through the stack's outputs afterwards, and a preview plans nothing.

import { api, inspectState, labelFilter, removeContainer, removeNetwork, stopContainer } from "../../lib/docker.js";
import { upAndReport } from "../../lib/lab-up.js";
import { runSmokeTests } from "../../lib/smoke.js";
import { containerIdsOf, type Log } from "./containers.js";
import { client } from "./messages.js";
import { expectNoChanges, type ProvisionedLab } from "./pulumi-lab.js";

export async function driftRestored(lab: ProvisionedLab, key: string, log: Log): Promise<void> {
  const id = lab.ids.get(key);
  if (!id) throw new Error(`${key} is not a container of ${lab.topology.labName}`);
  await removeContainer(id);
  log(`  removed ${key} by hand (docker rm -f -v)`);
  const started = Date.now();
  const result = await lab.stack.up({ refresh: true });
  log(
    `  pulumi up --refresh took ${((Date.now() - started) / 1000).toFixed(1)}s: ${JSON.stringify(result.summary.resourceChanges ?? {})}`,
  );
  const after = await containerIdsOf(lab.topology);
  const replaced = [...after].filter(([k, newId]) => lab.ids.get(k) !== newId).map(([k]) => k);
  if (JSON.stringify(replaced) !== JSON.stringify([key]))
    throw new Error(`expected only ${key} to be created again, got ${replaced.join(", ") || "none"}`);
  lab.ids = after;
  const failed = await runSmokeTests(lab.stack.name);
  if (failed !== 0)
    throw new Error(`the smoke tests failed (exit ${failed}) after pulumi up --refresh restored ${key}`);
  await expectNoChanges(lab.stack, log);
}

/**
 * The network removed by hand too (after its containers, as Docker requires): `pulumi up --refresh` re-creates it with
 * its labels, then the containers on it; the smoke tests pass and a preview plans nothing.
 */
export async function networkDriftRestored(lab: ProvisionedLab, log: Log): Promise<void> {
  const { topology } = lab;
  const labNetwork = async () =>
    (
      await api<Array<{ Id: string; Name: string }>>("GET", `/networks?filters=${labelFilter(topology.network.labels)}`)
    )[0];
  for (const id of lab.ids.values()) await removeContainer(id);
  const network = await labNetwork();
  if (!network) throw new Error(`network ${topology.network.name} is not there to remove`);
  await removeNetwork(network.Id);
  log(`  removed every container and network ${topology.network.name} by hand`);
  await lab.stack.up({ refresh: true });
  const again = await labNetwork();
  if (!again || again.Id === network.Id || again.Name !== topology.network.name)
    throw new Error(`pulumi up --refresh did not re-create ${topology.network.name} with its labels`);
  lab.ids = await containerIdsOf(topology);
  const failed = await runSmokeTests(lab.stack.name);
  if (failed !== 0) throw new Error(`the smoke tests failed (exit ${failed}) after pulumi up --refresh`);
  await expectNoChanges(lab.stack, log);
}

/** Runs lab:up's own steps (lib/lab-up.ts) and logs its report; throws when the report lacks any of `says`. */
export async function labUpReports(lab: ProvisionedLab, says: RegExp[], log: Log): Promise<void> {
  const started = Date.now();
  const report = await upAndReport(lab.stack);
  log(`  lab:up (pulumi up --refresh) took ${((Date.now() - started) / 1000).toFixed(1)}s and said:`);
  for (const line of report) log(`  | ${line}`);
  const text = report.join("\n");
  const missing = says.filter((line) => !line.test(text));
  if (missing.length > 0) throw new Error(`lab:up did not say ${missing.join(", ")}`);
}

/**
 * What a user does by hand and `npm run lab:up` repairs, saying so: a broker stopped (docker stop), then a topic
 * deleted (the admin API). After each the containers are the same ones (started again, not re-created), the smoke
 * tests pass, and a preview plans nothing.
 */
export async function labUpHeals(lab: ProvisionedLab, key: string, topic: string, log: Log): Promise<void> {
  const id = lab.ids.get(key)!;
  const spec = lab.topology.containers.find((c) => c.key === key)!;
  await stopContainer(id, spec.stopGraceSeconds);
  log(`  stopped ${key} by hand (docker stop): ${(await inspectState(id)).status}`);
  await labUpReports(lab, [new RegExp(`healthy-${key}: its container was found exited`)], log);
  const admin = client(lab.topology.outputs.bootstrapServers.value).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).finally(() => admin.disconnect());
  log(`  deleted topic ${topic} by hand (the admin API)`);
  await labUpReports(lab, [new RegExp(`created topic-${topic}`)], log);
  const after = await containerIdsOf(lab.topology);
  if ([...after].some(([k, newId]) => lab.ids.get(k) !== newId)) throw new Error("a container was re-created");
  const failed = await runSmokeTests(lab.stack.name);
  if (failed !== 0) throw new Error(`the smoke tests failed (exit ${failed}) after lab:up repaired the lab`);
  await expectNoChanges(lab.stack, log);
}
