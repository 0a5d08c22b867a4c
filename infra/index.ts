// The kafka-lab Pulumi program: validate the stack's config, then declare the lab. `pulumi up` returns once every
// container is healthy and every setup step (SCRAM user, topics, consumer-group readiness, connectors, schemas) is
// done. The stack's outputs are the lab's: each service declares its own, topology.ts collects them.

import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseLabConfig, type LabConfig } from "./config.js";
import { KafkaLab } from "./kafka-lab.js";
import { readProjectFile } from "./project-files.js";
import { readStackConfig } from "./raw-config.js";

function loadConfig(): LabConfig {
  try {
    const { values, plaintextKeys } = readStackConfig();
    return parseLabConfig(values, { plaintextKeys, readFile: readProjectFile });
  } catch (error) {
    // Refused before any resource is registered; RunError prints the message without a stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

export default new KafkaLab("lab", { config: loadConfig() }).outputs;
