// A node test against a lab of its own: startLab() makes it (the same program as `npm run lab:up`), kafkajs sends
// a message through the OUTSIDE listener and reads it back, destroy() removes the lab.
// Run: node --import tsx --test examples/round-trip.test.ts

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { startLab, type StartedLab } from "../lib/start-lab.js";

let lab: StartedLab;
before(async () => {
  lab = await startLab({ config: { topics: ["greetings:1:1"] } });
});
after(async () => {
  await lab?.destroy();
});

test("a message goes round the lab", async () => {
  const kafka = new Kafka({ brokers: lab.outputs.bootstrapServers.split(","), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: "greetings", messages: [{ value: JSON.stringify({ counter: 1 }) }] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: "my-group-id" });
  await consumer.connect();
  await consumer.subscribe({ topic: "greetings", fromBeginning: true });
  const received = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
  });
  await consumer.disconnect();
  assert.deepEqual(JSON.parse(received), { counter: 1 });
});
