// The smoke test's round trip rebuilt in-process with its knobs exposed, to measure what producer
// batching and compression would change in the smoke path (smoke-tests/ itself is
// not changed by the benchmark). The "smoke settings" variant reproduces round-trip.ts (idempotent
// producer, acks=all, one send of 1,000 messages at a time, sentAt per send, a fresh group seeked to this
// run's start offset, maxWaitTimeInMs 500, every value JSON-parsed), and checks the rebuild against it.

import { randomUUID } from "node:crypto";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { padJson } from "../smoke-tests/options.js";
import { percentile } from "../smoke-tests/verify.js";

export interface ClientVariant {
  name: string;
  /** Messages per producer.send (round-trip.ts: 1,000). */
  batch: number;
  /** Sends in flight at once (round-trip.ts: 1; kafkajs keeps their order with an idempotent producer). */
  concurrentSends?: number;
  gzip?: boolean;
}

/**
 * Larger sends are no option: kafkajs makes one record batch per send and per partition, and the broker
 * refuses batches over 1 MiB (message.max.bytes), i.e. 1,000 messages of 1 KB. So: more sends in flight.
 */
export const CLIENT_VARIANTS: ClientVariant[] = [
  { name: "smoke settings", batch: 1_000 },
  { name: "4 sends in flight", batch: 1_000, concurrentSends: 4 },
  { name: "gzip", batch: 1_000, gzip: true },
];

/** Messages per send as round-trip.ts caps them: at most 1,000 and at most 1,000,000 bytes of values. */
export function perSend(batch: number, messageBytes: number): number {
  return Math.max(1, Math.min(batch, Math.floor(1_000_000 / messageBytes)));
}

export interface ClientVariantResult {
  ok: boolean;
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  problem?: string;
}

export async function kafkajsRoundTrip(
  bootstrap: string,
  {
    topic = "topic_test",
    count,
    messageBytes,
    variant,
    timeoutMs = 120_000,
  }: { topic?: string; count: number; messageBytes: number; variant: ClientVariant; timeoutMs?: number },
): Promise<ClientVariantResult> {
  const run = randomUUID().slice(0, 17);
  const kafka = new Kafka({
    clientId: "kafka-lab-bench",
    brokers: bootstrap.split(","),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
  });
  const admin = kafka.admin();
  const consumer = kafka.consumer({
    groupId: `bench-${run}`,
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
  });
  const producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    maxInFlightRequests: variant.concurrentSends ?? 1,
  });
  const latencies = new Float64Array(count);
  let received = 0;
  let lastAt = 0;
  try {
    await admin.connect();
    const start = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.high]));
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, heartbeat }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          if (BigInt(m.offset) < BigInt(start.get(batch.partition) ?? "0")) continue;
          const value = JSON.parse(m.value!.toString("utf8")) as { run?: string; sentAt?: number };
          if (value.run !== run) continue;
          if (received < count) latencies[received] = now - value.sentAt!;
          received++;
        }
        lastAt = performance.now();
        await heartbeat();
      },
    });
    await joined;
    for (const [partition, offset] of start) consumer.seek({ topic, partition, offset });
    await producer.connect();
    const startedAt = performance.now();
    const sends: Array<Promise<unknown>> = [];
    const step = perSend(variant.batch, messageBytes);
    for (let j = 0; j < count; j += step) {
      const sentAt = Date.now();
      const messages = [];
      for (let k = j; k < Math.min(count, j + step); k++)
        messages.push({ value: padJson(JSON.stringify({ counter: k, sentAt, run }), messageBytes) });
      sends.push(
        producer.send({ topic, acks: -1, messages, ...(variant.gzip ? { compression: CompressionTypes.GZIP } : {}) }),
      );
      if (sends.length >= (variant.concurrentSends ?? 1)) await sends.shift();
    }
    await Promise.all(sends);
    const deadline = Date.now() + timeoutMs;
    while (received < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const sorted = Float64Array.from(latencies.subarray(0, Math.min(count, received))).sort();
    return {
      ok: received === count,
      messagesPerSecond: received / ((lastAt - startedAt) / 1000),
      p50Ms: percentile(sorted, 50) ?? NaN,
      p99Ms: percentile(sorted, 99) ?? NaN,
      ...(received === count ? {} : { problem: `received ${received} of ${count}` }),
    };
  } catch (error) {
    return { ok: false, messagesPerSecond: NaN, p50Ms: NaN, p99Ms: NaN, problem: (error as Error).message };
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}
