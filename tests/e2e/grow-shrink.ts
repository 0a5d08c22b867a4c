// A lab that grows and shrinks through `pulumi up` without losing data: messages in a topic and a consumer group's
// committed offset are written once, then the config changes step by step (a topic more, more brokers, another
// heap, fewer brokers). Before each step the preview must plan exactly the changes the step names; after it every
// message and the committed offset are still there, the smoke tests pass and a second preview plans nothing. Changes
// that would lose data (removing brokers that hold replicas, a KRaft quorum change) must be refused by the preview
// before anything changes, naming the key.

import { randomUUID } from "node:crypto";
import type { PreviewResult } from "@pulumi/pulumi/automation/index.js";
import { parseLabPlan } from "../../infra/model/lab-plan.js";
import { runSmokeTests } from "../../lib/smoke.js";
import type { Settings } from "../../lib/local-images.js";
import type { CheckRunner } from "./checks.js";
import { containerIdsOf, expectContainersAsDeclared, type Log } from "./containers.js";
import { client, consume, expectCounters, produce } from "./messages.js";
import { expectNoChanges, labStackOf, topologyOf, type LabDefinition, type ProvisionedLab } from "./pulumi-lab.js";

/** The topic whose messages must survive every step, and how many of them the group has committed. */
export const KEPT = { topic: "kept_data", messages: 100, committed: 60 } as const;

/** One planned operation of a preview: `+ docker:index:Container kafka-2 create`. */
export interface PlannedOp {
  op: string;
  type: string;
  name: string;
}

/** A resource's line (`+  docker:index:Container kafka-2 create`), not the summary's (`+ 1 to create`). */
const OP_LINE =
  /^\s*(\+\+|\+-|--|\+|-|~)\s+(\S+:\S+)\s+(\S+)\s+(create replacement|delete original|create|update|delete|replace)\b/;

/** The operations a preview plans (what it prints for each resource it would change). */
export function plannedOps(preview: PreviewResult): PlannedOp[] {
  return preview.stdout
    .split("\n")
    .map((line) => OP_LINE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ op: m[4]!, type: m[2]!.replace(/^.*:/, ""), name: m[3]! }));
}

const describe = (ops: PlannedOp[]) => ops.map((o) => `${o.op} ${o.type} ${o.name}`).join(", ") || "nothing";

export interface GrowStep {
  title: string;
  /** Settings on top of the lab's (and of the steps before). */
  change: Settings;
  /** Why the planned operations are wrong for this step, or undefined when they are what it names. */
  judge(ops: PlannedOp[]): string | undefined;
}

export interface RefusedStep {
  title: string;
  change: Settings;
  /** What the refusal must say (it names the key). */
  refusal: RegExp;
}

/** The committed offset and the partition's offsets: every message is there, the group's place too. */
async function dataIntact(bootstrap: string, group: string): Promise<string> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchTopicOffsets(KEPT.topic);
    const [committed] = (await admin.fetchOffsets({ groupId: group, topics: [KEPT.topic] }))[0]!.partitions;
    const facts = `${KEPT.topic}: offsets ${offsets!.low}..${offsets!.high}, group committed ${committed!.offset}`;
    if (offsets!.low !== "0" || offsets!.high !== String(KEPT.messages) || committed!.offset !== String(KEPT.committed))
      throw new Error(`lost data: ${facts} (expected 0..${KEPT.messages}, committed ${KEPT.committed})`);
    return facts;
  } finally {
    await admin.disconnect();
  }
}

/** The lab's steps in order, each a check; `lab` is up with the base definition. */
export async function growShrinkChecks(
  checks: CheckRunner,
  lab: ProvisionedLab,
  steps: Array<GrowStep | RefusedStep>,
  log: Log,
): Promise<void> {
  const { title } = lab.definition;
  const run = randomUUID();
  const group = `my-group-id-${run.slice(0, 8)}`;
  const seeded = await checks.run(
    `${title}: ${KEPT.messages} messages in ${KEPT.topic}, ${KEPT.committed} of them committed by a group`,
    async () => {
      const bootstrap = (await lab.stack.outputs()).bootstrapServers;
      await produce(bootstrap, KEPT.topic, run, 0, KEPT.committed);
      expectCounters("the group", await consume(bootstrap, KEPT.topic, run, group, KEPT.committed), 0, KEPT.committed);
      await produce(bootstrap, KEPT.topic, run, KEPT.committed, KEPT.messages);
      log(`  ${await dataIntact(bootstrap, group)}`);
    },
  );
  if (!seeded) return;
  let definition = lab.definition;
  for (const step of steps) {
    const next: LabDefinition = { ...definition, overrides: { ...definition.overrides, ...step.change } };
    const ok = await checks.run(`${title}: ${step.title}`, () =>
      "refusal" in step ? refusedStep(next, step, lab, log) : grownStep(next, step, lab, group, log),
    );
    if (!ok) return;
    if (!("refusal" in step)) definition = next;
  }
  // The lab as the last step left it: the checks after these (a preview, destroy) run on that.
  lab.definition = definition;
  lab.topology = topologyOf(definition);
  lab.stack = await labStackOf(definition, log).open();
  await checks.run(`${title}: a fresh group reads all ${KEPT.messages} messages back after every step`, async () => {
    const bootstrap = (await lab.stack.outputs()).bootstrapServers;
    expectCounters(
      "a fresh group",
      await consume(bootstrap, KEPT.topic, run, `${group}-fresh`, KEPT.messages),
      0,
      KEPT.messages,
    );
  });
}

async function grownStep(next: LabDefinition, step: GrowStep, lab: ProvisionedLab, group: string, log: Log) {
  const stack = await labStackOf(next, log).open();
  const ops = plannedOps(await stack.preview());
  log(`  preview plans: ${describe(ops)}`);
  const wrong = step.judge(ops);
  if (wrong) throw new Error(`the preview planned ${describe(ops)}: ${wrong}`);
  const started = Date.now();
  const result = await stack.up();
  log(
    `  pulumi up took ${((Date.now() - started) / 1000).toFixed(1)}s: ${JSON.stringify(result.summary.resourceChanges)}`,
  );
  const outputs = await stack.outputs();
  // The lab as its plan keeps it (the internal topics' replication, say, stays what it was when the lab was made).
  const made = topologyOf(next, parseLabPlan(outputs.labPlan));
  lab.ids = await containerIdsOf(made);
  log(`  ${await expectContainersAsDeclared(made, lab.ids)}`);
  log(`  ${await dataIntact(outputs.bootstrapServers, group)}`);
  const failed = await runSmokeTests(stack.name);
  if (failed !== 0) throw new Error(`the smoke tests failed (exit ${failed})`);
  await expectNoChanges(stack, log);
}

async function refusedStep(next: LabDefinition, step: RefusedStep, lab: ProvisionedLab, log: Log) {
  const before = await containerIdsOf(lab.topology);
  const stack = await labStackOf(next, log).open();
  const failure = await stack.preview().then(
    () => undefined,
    (error: Error) => error,
  );
  if (!failure) throw new Error("the preview accepted the change");
  const line = failure.message.split("\n").find((l) => step.refusal.test(l));
  if (!line) throw new Error(`the preview failed without saying ${step.refusal}: ${failure.message.slice(0, 1500)}`);
  log(`  refused: ${line.trim()}`);
  const after = await containerIdsOf(lab.topology);
  if ([...before].some(([key, id]) => after.get(key) !== id)) throw new Error("a container changed all the same");
}

/** Judges for the steps: which resources a step may create, replace, update or delete. */
export const only = {
  /** Nothing of these keys (containers) changes; every planned operation matches one of `allowed`. */
  ops(allowed: Array<[op: string | RegExp, type: string | RegExp, name: string | RegExp]>, untouched: string[] = []) {
    return (ops: PlannedOp[]): string | undefined => {
      const matches = (value: string, pattern: string | RegExp) =>
        typeof pattern === "string" ? value === pattern : pattern.test(value);
      const touched = ops.filter((o) => untouched.includes(o.name));
      if (touched.length > 0) return `it must leave ${untouched.join(", ")} as they are`;
      const stray = ops.filter(
        (o) => !allowed.some(([op, type, name]) => matches(o.op, op) && matches(o.type, type) && matches(o.name, name)),
      );
      if (stray.length > 0) return `unexpected: ${describe(stray)}`;
      const missing = allowed.filter(
        ([op, type, name]) =>
          typeof name === "string" && !ops.some((o) => matches(o.op, op) && matches(o.type, type) && o.name === name),
      );
      return missing.length > 0
        ? `missing: ${missing.map(([op, type, name]) => `${op} ${type} ${name}`).join(", ")}`
        : undefined;
    };
  },
};

const VOLUME = "Volume";
const REMOVAL = "VolumeRemoval";
const HEALTH = "ContainerHealthy";
const CONTAINER = "Container";
const TOPIC = "KafkaTopic";
const READINESS = "ConsumerGroupReadiness";
/** A topic and readiness step follow the brokers: a re-created or new broker makes them ensure themselves again. */
const FOLLOWERS: Array<[RegExp, string, RegExp]> = [
  [/^update$/, TOPIC, /^topic-/],
  [/^(replace|create replacement|delete original)$/, READINESS, /^consumer-group-readiness$/],
];
/** A container replaced: a preview prints the replacement's create, the original's delete and the replace itself. */
const replaced = (keys: string[]) =>
  keys.flatMap((key): Array<[string | RegExp, string, string]> => [
    ["replace", CONTAINER, key],
    [/^(create replacement|delete original)$/, CONTAINER, key],
    // The wait for its health follows the new container (its id changed).
    [/^(replace|create replacement|delete original)$/, HEALTH, `healthy-${key}`],
  ]);
/** A broker's own resources: its container and the wait for its health, its volume and the volume's removal. */
const newBrokers = (lab: string, ids: number[], op: "create" | "delete") =>
  ids.flatMap((id): Array<[string, string, string]> => [
    [op, CONTAINER, `kafka-${id}`],
    [op, HEALTH, `healthy-kafka-${id}`],
    [op, VOLUME, `volume-${lab}-kafka-${id}-data`],
    [op, REMOVAL, `removal-${lab}-kafka-${id}-data`],
  ]);

/** ZooKeeper mode, from the tutorial's one broker: a topic more, 3 brokers, another heap, and back to 1. */
export function zookeeperModeSteps(labName: string, topics: string[]): Array<GrowStep | RefusedStep> {
  const withEvents = [...topics, "events:2:1"];
  return [
    {
      title: "adding a topic creates it and touches nothing else",
      change: { topics: withEvents },
      judge: only.ops([["create", TOPIC, "topic-events"]], ["kafka-1", "zookeeper-1"]),
    },
    {
      title: "1 -> 3 brokers creates kafka-2 and kafka-3 with their volumes; kafka-1 and ZooKeeper stay as they are",
      change: { brokers: 3 },
      judge: only.ops([...newBrokers(labName, [2, 3], "create"), ...FOLLOWERS], ["kafka-1", "zookeeper-1"]),
    },
    {
      title:
        "another heap replaces the brokers, which run with it (env, memory limit) and keep their data in their volumes",
      change: { kafkaHeap: "320m" },
      judge: only.ops([...replaced(["kafka-1", "kafka-2", "kafka-3"]), ...FOLLOWERS], ["zookeeper-1"]),
    },
    {
      title: "a topic spread over the three brokers",
      change: { topics: [...withEvents, "spread:3:1"] },
      judge: only.ops([["create", TOPIC, "topic-spread"]], ["kafka-1", "kafka-2", "kafka-3", "zookeeper-1"]),
    },
    {
      title: "3 -> 1 broker is refused while kafka-2 and kafka-3 hold replicas of spread, naming the partitions",
      change: { brokers: 1 },
      refusal:
        /kafka-lab:brokers = "1": going from 3 to 1 brokers would remove brokers that hold replicas of spread-\d/,
    },
    {
      title: "without spread, 3 -> 1 broker deletes kafka-2, kafka-3 and their volumes; kafka-1 stays as it is",
      change: { brokers: 1, topics: withEvents },
      judge: only.ops(
        [...newBrokers(labName, [2, 3], "delete"), ["delete", TOPIC, "topic-spread"], ...FOLLOWERS],
        ["kafka-1", "zookeeper-1"],
      ),
    },
  ];
}

/** KRaft mode, 3 brokers that carry the quorum: a broker-only fourth and back; a quorum change is refused. */
export function kraftModeSteps(labName: string): Array<GrowStep | RefusedStep> {
  const voters = ["kafka-1", "kafka-2", "kafka-3"];
  return [
    {
      title: "3 -> 4 brokers adds kafka-4 as a broker only; the controllers stay as they are",
      change: { brokers: 4 },
      judge: only.ops([...newBrokers(labName, [4], "create"), ...FOLLOWERS], voters),
    },
    {
      title: "2 brokers are refused before anything changes: the controller quorum is brokers 1-3",
      change: { brokers: 2 },
      refusal: /kafka-lab:brokers = "2": this lab's KRaft controller quorum is brokers 1-3/,
    },
    {
      title: "4 -> 3 brokers deletes kafka-4 (it holds no replicas) and its volume",
      change: { brokers: 3 },
      judge: only.ops([...newBrokers(labName, [4], "delete"), ...FOLLOWERS], voters),
    },
  ];
}
