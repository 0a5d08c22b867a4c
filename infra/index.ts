// The kafka-lab Pulumi program: validate the stack's config, then declare the lab.
// `pulumi up` returns once ZooKeeper and every broker are healthy and the topics exist.

import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseLabConfig, type LabConfig } from "./config.js";
import { KafkaLab } from "./kafka-lab.js";
import { readStackConfig } from "./raw-config.js";

function loadConfig(): LabConfig {
  try {
    const { values, plaintextKeys } = readStackConfig();
    return parseLabConfig(values, { plaintextKeys });
  } catch (error) {
    // Refused before any resource is registered; RunError prints the message without a stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const lab = new KafkaLab("lab", { config: loadConfig() });

export const bootstrapServers = lab.bootstrapServers;
export const internalBootstrapServers = lab.internalBootstrapServers;
export const zookeeperConnect = lab.zookeeperConnect;
export const networkName = lab.networkName;
export const topics = lab.topicNames;
/** none, scram-sha-256 or scram-sha-512: how host clients log in on OUTSIDE (the password stays in config). */
export const outsideAuth = lab.outsideAuth;
export const outsideUsername = lab.outsideUsername;
