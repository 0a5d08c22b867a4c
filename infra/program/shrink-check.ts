// Before a lab loses brokers: asks the running cluster (kafkajs admin, through OUTSIDE) which partitions keep a
// replica on a broker that would go, so that `pulumi up` can refuse before anything changes (Strimzi refuses such a
// scale-down the same way). The judgement itself is replicasOnRemovedBrokers, pure.

import kafkajs from "kafkajs";
import type { LabConfig } from "../model/config.js";
import type { ConfigProblem } from "../model/keys/keys.js";
import { firstBrokers } from "../model/lab-plan.js";

export interface PartitionReplicas {
  topic: string;
  partition: number;
  replicas: number[];
}

/** The problem with going down to `brokers` brokers while these partitions keep replicas on the ones that go. */
export function replicasOnRemovedBrokers(
  partitions: readonly PartitionReplicas[],
  from: number,
  brokers: number,
): ConfigProblem[] {
  const held = partitions.filter((p) => p.replicas.some((id) => id > brokers));
  if (held.length === 0) return [];
  const shown = held
    .slice(0, 12)
    .map((p) => `${p.topic}-${p.partition} (on broker ${p.replicas.filter((id) => id > brokers).join(", ")})`);
  const more = held.length > shown.length ? ` and ${held.length - shown.length} more` : "";
  return [
    {
      key: "brokers",
      value: String(brokers),
      allowed:
        `going from ${from} to ${brokers} brokers would remove brokers that hold replicas of ${shown.join(", ")}${more}: ` +
        `move them to ${firstBrokers(brokers)} first (kafka-reassign-partitions), or keep ${from} brokers`,
    },
  ];
}

/** Asks the cluster at `bootstrapServers` (the lab's brokers before the change) for every partition's replicas. */
export async function partitionReplicas(config: LabConfig, bootstrapServers: string): Promise<PartitionReplicas[]> {
  const { outsideAuth, outsideUsername: username, outsidePassword: password } = config;
  const sasl: kafkajs.SASLOptions | undefined =
    outsideAuth === "scram-sha-256"
      ? { mechanism: outsideAuth, username, password }
      : outsideAuth === "scram-sha-512"
        ? { mechanism: outsideAuth, username, password }
        : undefined;
  const admin = new kafkajs.Kafka({
    clientId: "kafka-lab-shrink-check",
    brokers: bootstrapServers.split(","),
    connectionTimeout: 5000,
    requestTimeout: 15000,
    retry: { retries: 2 },
    logLevel: kafkajs.logLevel.NOTHING,
    ...(sasl ? { sasl } : {}),
  }).admin();
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata();
    return topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, replicas: p.replicas })),
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * The problems with shrinking the lab from `from` brokers; an unreachable cluster is one too (nothing is known).
 * `goingFirst`: topics this same `pulumi up` deletes before it removes any broker (declared before, not now).
 */
export async function shrinkProblems(
  config: LabConfig,
  from: number,
  bootstrapServers: string,
  goingFirst: readonly string[],
): Promise<ConfigProblem[]> {
  try {
    const partitions = (await partitionReplicas(config, bootstrapServers)).filter((p) => !goingFirst.includes(p.topic));
    return replicasOnRemovedBrokers(partitions, from, config.brokers);
  } catch (error) {
    return [
      {
        key: "brokers",
        value: String(config.brokers),
        allowed:
          `cannot ask the lab's ${from} brokers (${bootstrapServers}) whether the ones that would go hold replicas ` +
          `(${(error as Error).message}); bring the lab up as it is first (pulumi up with brokers: ${from})`,
      },
    ];
  }
}
