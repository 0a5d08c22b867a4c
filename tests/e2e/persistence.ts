// Persistence: messages and a consumer group's committed offsets survive re-creating every container on the
// same named volumes, and restarting every container in place (docker stop with the grace period, then start).

import { randomUUID } from "node:crypto";
import kafkajs from "kafkajs";
import type { LabTopology } from "../../infra/topology.js";
import { startContainer, stopContainer } from "../../scripts/lib/docker-api.js";
import { realiseLab, startOrder, teardownLab, waitHealthy, type Log, type RunningLab } from "./lab-harness.js";

const { Kafka, logLevel } = kafkajs;

function client(bootstrap: string) {
  return new Kafka({ clientId: "kafka-lab-persistence", brokers: bootstrap.split(","), connectionTimeout: 3000, logLevel: logLevel.NOTHING });
}

async function produce(bootstrap: string, topic: string, run: string, from: number, to: number): Promise<void> {
  const producer = client(bootstrap).producer({ idempotent: true });
  await producer.connect();
  const messages = [];
  for (let counter = from; counter < to; counter++) messages.push({ value: JSON.stringify({ counter, run }) });
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

/** Consumes this run's records with the group until `expected` arrived or the deadline passed; commits. */
async function consume(bootstrap: string, topic: string, run: string, groupId: string, expected: number, deadlineMs = 30000): Promise<number[]> {
  const consumer = client(bootstrap).consumer({ groupId });
  const counters: number[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, deadlineMs);
    void consumer.run({
      eachMessage: async ({ message }) => {
        const value = JSON.parse(message.value?.toString() ?? "{}") as { counter?: number; run?: string };
        if (value.run === run && typeof value.counter === "number") counters.push(value.counter);
        if (counters.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.stop();
  await consumer.commitOffsets([]).catch(() => undefined);
  await consumer.disconnect();
  return counters;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/**
 * Restarts every container in place: stops them brokers first (reverse start order) with their grace
 * period, starts them again in start order, each level waited on until healthy. The containers stay the same.
 */
async function restartInPlace(topology: LabTopology, lab: RunningLab, log: Log): Promise<void> {
  const levels = startOrder(topology.containers);
  const stopStarted = Date.now();
  for (const level of [...levels].reverse()) {
    await Promise.all(level.map((spec) => stopContainer(lab.containerIds.get(spec.key)!, spec.stopGraceSeconds)));
  }
  log(`  stopped every container (docker stop, grace ${topology.containers.map((c) => `${c.key} ${c.stopGraceSeconds}s`).join(", ")}) in ${((Date.now() - stopStarted) / 1000).toFixed(1)}s`);
  const startStarted = Date.now();
  for (const level of levels) {
    await Promise.all(level.map((spec) => startContainer(lab.containerIds.get(spec.key)!)));
    await Promise.all(level.map((spec) => waitHealthy(spec, lab.containerIds.get(spec.key)!, topology.waitTimeoutSeconds, log)));
  }
  log(`  started them again: every container healthy after ${((Date.now() - startStarted) / 1000).toFixed(1)}s`);
}

export async function persistenceRoundTrip(topology: LabTopology, log: Log): Promise<void> {
  const bootstrap = topology.outputs.bootstrapServers;
  const topic = topology.topics[0]!.name;
  const run = randomUUID();
  const group = `persistence-${run}`;
  let lab: Partial<RunningLab> = {};
  try {
    await realiseLab(topology, log, lab);
    await produce(bootstrap, topic, run, 0, 50);
    const first = await consume(bootstrap, topic, run, group, 50);
    log(`  before re-creating: group ${group} consumed and committed ${first.length} messages`);
    if (first.length !== 50) throw new Error(`expected 50 messages before re-creating, got ${first.length}`);
    await produce(bootstrap, topic, run, 50, 70);

    log("  removing every container (keeping the volumes) and creating them again");
    await teardownLab(lab as RunningLab, log, { keepVolumes: true });
    lab = {};
    await realiseLab(topology, log, lab);

    const resumed = await consume(bootstrap, topic, run, group, 20, 20000);
    log(`  after: the same group resumed with ${resumed.length} messages (${resumed[0]}..${resumed.at(-1)})`);
    if (JSON.stringify(resumed) !== JSON.stringify(range(50, 70))) {
      throw new Error(`the group's committed offsets did not survive: expected counters 50..69, got ${JSON.stringify(resumed.slice(0, 25))}`);
    }
    const all = await consume(bootstrap, topic, run, `${group}-fresh`, 70);
    log(`  after: a fresh group reads all ${all.length} messages back from earliest`);
    if (JSON.stringify(all) !== JSON.stringify(range(0, 70))) throw new Error(`expected counters 0..69 from earliest, got ${all.length} messages`);

    // The same containers restarted in place: stop with the grace period, start, healthy, Kafka ready again.
    await produce(bootstrap, topic, run, 70, 90);
    log("  restarting every container in place (docker stop, then docker start)");
    const ids = new Map(lab.containerIds);
    await restartInPlace(topology, lab as RunningLab, log);
    const again = await realiseLab(topology, log, {});
    const replaced = [...ids].filter(([key, id]) => again.containerIds.get(key) !== id).map(([key]) => key);
    if (again.created.length > 0 || replaced.length > 0) {
      throw new Error(`the restarted lab did not keep its containers: re-created ${[...again.created, ...replaced].join(", ")}`);
    }
    log(`  after the restart: the same ${ids.size} containers, Kafka ready again (topics there, a group finds its coordinator) within ${again.secondsToReady.toFixed(1)}s`);

    const afterRestart = await consume(bootstrap, topic, run, group, 20, 20000);
    log(`  after the restart: the same group resumed with ${afterRestart.length} messages (${afterRestart[0]}..${afterRestart.at(-1)})`);
    if (JSON.stringify(afterRestart) !== JSON.stringify(range(70, 90))) {
      throw new Error(`the group's committed offsets did not survive the restart: expected counters 70..89, got ${JSON.stringify(afterRestart.slice(0, 25))}`);
    }
    const allAfterRestart = await consume(bootstrap, topic, run, `${group}-fresh-after-restart`, 90);
    log(`  after the restart: a fresh group reads all ${allAfterRestart.length} messages back from earliest`);
    if (JSON.stringify(allAfterRestart) !== JSON.stringify(range(0, 90))) {
      throw new Error(`expected counters 0..89 from earliest after the restart, got ${allAfterRestart.length} messages`);
    }
  } finally {
    await teardownLab({ ...lab, topology }, log);
  }
}
