// The kafka-lab Pulumi program: validate the stack's config, hold it to what the lab settled when it was made (its
// plan, read back from the stack's last outputs), then declare the lab. `pulumi up` returns once every container is
// healthy and every setup step (SCRAM user, topics, consumer-group readiness, connectors, schemas) is done. The
// stack's outputs are the lab's: each service declares its own, topology.ts collects them.

import * as pulumi from "@pulumi/pulumi";
import { ConfigError, configError, parseLabConfig, type LabConfig } from "./config.js";
import { engineFromEnv, request, type EngineSettings } from "./docker-engine.cjs";
import type { ConfigProblem } from "./config/keys.js";
import { engineOf, remoteEngineProblems } from "./engine.js";
import { chooseHostPorts } from "./host-ports.js";
import { KafkaLab, type KafkaLabArgs } from "./kafka-lab.js";
import { nextPlan } from "./lab-plan.js";
import { readPreviousLab } from "./previous-lab.js";
import { readProjectFile } from "./project-files.js";
import { readStackConfig } from "./raw-config.js";
import { shrinkProblems } from "./shrink-check.js";
import { labNameOf } from "./topology.js";

/** Why the engine the keys name cannot be used (asked once, through the transport every step uses). */
async function engineUnreachable(engine: EngineSettings): Promise<ConfigProblem | undefined> {
  try {
    const { status } = await request(engine, "GET", "/_ping");
    if (status === 200) return undefined;
    return { key: "dockerHost", value: engine.host, allowed: `the engine answered /_ping with HTTP ${status}` };
  } catch (error) {
    return { key: "dockerHost", value: engine.host, allowed: (error as Error).message };
  }
}

/** Refused before any resource is registered; RunError prints the message without a stack trace. */
function refuse(error: ConfigError): never {
  throw new pulumi.RunError(error.message);
}

function loadConfig(): LabConfig {
  try {
    const { values, plaintextKeys } = readStackConfig();
    return parseLabConfig(values, { plaintextKeys, readFile: readProjectFile });
  } catch (error) {
    if (error instanceof ConfigError) refuse(error);
    throw error;
  }
}

async function prepare(): Promise<KafkaLabArgs> {
  const config = loadConfig();
  const configured = engineOf(config);
  const engine = configured ?? engineFromEnv();
  if (configured) {
    const unreachable = await engineUnreachable(configured);
    if (unreachable) refuse(configError([unreachable]));
  } else {
    // A remote engine that the environment names (one the keys name was checked with the config).
    const remote = remoteEngineProblems(engine, config);
    if (remote.length > 0) refuse(configError(remote));
  }
  const previous = await readPreviousLab();
  const labName = labNameOf({ project: pulumi.getProject(), stack: pulumi.getStack() });
  const { ports } = await chooseHostPorts(config, previous.plan?.ports, labName, engine);
  const { plan, problems } = nextPlan(config, previous.plan, ports);
  const from = previous.plan?.brokers ?? 0;
  if (problems.length === 0 && config.brokers < from && previous.bootstrapServers) {
    // Topics the config no longer declares are deleted before the brokers go.
    const goingFirst = previous.topics.filter((t) => !config.topics.some((declared) => declared.name === t));
    problems.push(...(await shrinkProblems(config, from, previous.bootstrapServers, goingFirst)));
  }
  if (problems.length > 0) refuse(configError(problems));
  return { config, plan };
}

export default async () => new KafkaLab("lab", await prepare()).outputs;
