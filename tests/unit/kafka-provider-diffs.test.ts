// What the topic and readiness providers plan when their inputs change: a new SCRAM login must reach the state (an
// update), since refresh and destroy log in with what the state holds.

import assert from "node:assert/strict";
import { test } from "node:test";
import kafkaProviders from "../../infra/setup/kafka-providers.cjs";

const { topicProvider, readinessProvider } = kafkaProviders;

const login = { mechanism: "scram-sha-256", username: "lab", password: "first-password" };
const readiness = { bootstrapServers: "localhost:9092", clusterToken: "c1", sasl: login };
const topic = { ...readiness, name: "orders", partitions: 3, replicationFactor: 1, configs: {} };

test("a new SCRAM password updates each topic in place, never replaces it", async () => {
  const diff = await topicProvider.diff!("orders", topic, {
    ...topic,
    sasl: { ...login, password: "second-password" },
  });
  assert.equal(diff.changes, true);
  assert.deepEqual(diff.replaces, []);
});

test("a new SCRAM password updates the readiness step, keeping what it measured", async () => {
  const olds = { ...readiness, secondsToCoordinator: 1.5 };
  const news = { ...readiness, sasl: { ...login, password: "second-password" } };
  const diff = await readinessProvider.diff!("consumer-groups", olds, news);
  assert.equal(diff.changes, true);
  assert.deepEqual(diff.replaces, []);
  const updated = await readinessProvider.update!("consumer-groups", olds, news);
  assert.deepEqual(updated.outs, { ...news, secondsToCoordinator: 1.5 });
});

test("the same inputs plan nothing; authentication turned off is a change too", async () => {
  assert.equal((await topicProvider.diff!("orders", topic, { ...topic })).changes, false);
  const measured = { ...readiness, secondsToCoordinator: 1.5 };
  assert.equal((await readinessProvider.diff!("consumer-groups", measured, { ...readiness })).changes, false);
  const { sasl: _, ...without } = topic;
  assert.equal((await topicProvider.diff!("orders", topic, without)).changes, true);
});
