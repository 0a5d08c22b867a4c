// Every broker's OUTSIDE address answers on its own and describes the whole cluster with the advertised
// addresses the topology expects.

import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;

export async function checkEveryBroker(bootstrapServers: string, log: (line: string) => void): Promise<void> {
  const expected = bootstrapServers.split(",").sort();
  for (const address of expected) {
    const admin = new Kafka({
      clientId: "kafka-lab-e2e",
      brokers: [address],
      connectionTimeout: 3000,
      retry: { retries: 2 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      const advertised = cluster.brokers.map((b) => `${b.host}:${b.port}`).sort();
      log(
        `  ${address}: cluster of ${cluster.brokers.length} broker(s), controller ${cluster.controller}, advertised ${advertised.join(" ")}`,
      );
      if (JSON.stringify(advertised) !== JSON.stringify(expected)) {
        throw new Error(`${address} describes brokers ${advertised.join(", ")}, expected ${expected.join(", ")}`);
      }
    } catch (error) {
      throw new Error(`broker at ${address} (listener OUTSIDE): ${(error as Error).message}`, { cause: error });
    } finally {
      await admin.disconnect();
    }
  }
}
