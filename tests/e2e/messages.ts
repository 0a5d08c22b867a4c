// Messages the e2e checks write and read back with kafkajs through OUTSIDE: produced with a run id, consumed by a
// group that commits, compared with the counters that were sent.

import kafkajs, { type SASLOptions } from "kafkajs";

const { Kafka, logLevel } = kafkajs;

/** A client of the OUTSIDE listener; `sasl`: the login of a lab whose OUTSIDE authenticates. */
export function client(bootstrap: string, sasl?: SASLOptions) {
  return new Kafka({
    clientId: "kafka-lab-e2e-messages",
    brokers: bootstrap.split(","),
    connectionTimeout: 3000,
    logLevel: logLevel.NOTHING,
    ...(sasl ? { sasl } : {}),
  });
}

export async function produce(
  bootstrap: string,
  topic: string,
  run: string,
  from: number,
  to: number,
  sasl?: SASLOptions,
): Promise<void> {
  const producer = client(bootstrap, sasl).producer({ idempotent: true });
  await producer.connect();
  const messages = [];
  for (let counter = from; counter < to; counter++) messages.push({ value: JSON.stringify({ counter, run }) });
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

/** Consumes this run's records with the group until `expected` arrived or the deadline passed; commits. */
export async function consume(
  bootstrap: string,
  topic: string,
  run: string,
  groupId: string,
  expected: number,
  deadlineMs = 30000,
): Promise<number[]> {
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

export const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

export function expectCounters(what: string, got: number[], from: number, to: number): void {
  if (JSON.stringify(got) !== JSON.stringify(range(from, to))) {
    throw new Error(
      `${what}: expected counters ${from}..${to - 1}, got ${got.length} (${JSON.stringify(got.slice(0, 25))})`,
    );
  }
}
