// The kafka-lab Pulumi program: validate the stack's config, hold it to what the lab settled when it was made (its
// plan, read back from the stack's last outputs), then declare the lab on its target: containers on a Docker engine
// (docker/) or StatefulSets in a namespace of a Kubernetes cluster (kubernetes/). `pulumi up` returns once every
// container is healthy and every setup step (SCRAM user, topics, consumer-group readiness, connectors, schemas) is
// done. The stack's outputs are the lab's: each service declares its own, model/topology.ts collects them.

import * as pulumi from "@pulumi/pulumi";
import { ConfigError, configError, type LabConfig } from "./model/config.js";
import { engineFromEnv } from "./docker/docker-engine.cjs";
import { engineOf } from "./docker/engine.js";
import { chooseHostPorts } from "./program/host-ports.js";
import { KafkaLab, type KafkaLabArgs } from "./docker/docker-lab.js";
import { dockerPortsInUse } from "./docker/ports.js";
import { KubernetesLab } from "./kubernetes/kubernetes-lab.js";
import { kubernetesPortsInUse } from "./kubernetes/ports.js";
import { nextPlan } from "./model/lab-plan.js";
import { checkStackConfig } from "./program/preflight.js";
import { readPreviousLab } from "./program/previous-lab.js";
import { readStackConfig } from "./program/stack-config.js";
import { shrinkProblems } from "./program/shrink-check.js";
import { labNameOf, type LabIdentity } from "./model/topology.js";

/** Refused before any resource is registered; RunError prints the message without a stack trace. */
function refuse(error: ConfigError): never {
  throw new pulumi.RunError(error.message);
}

async function loadConfig(identity: LabIdentity): Promise<LabConfig> {
  try {
    const { values, plaintextKeys } = readStackConfig();
    return await checkStackConfig(values, plaintextKeys, identity);
  } catch (error) {
    if (error instanceof ConfigError) refuse(error);
    throw error;
  }
}

async function prepare(): Promise<KafkaLabArgs> {
  const identity = { project: pulumi.getProject(), stack: pulumi.getStack() };
  const config = await loadConfig(identity);
  const labName = labNameOf(identity);
  const portsInUse =
    config.target === "kubernetes"
      ? () => kubernetesPortsInUse(config, labName)
      : () => dockerPortsInUse(engineOf(config) ?? engineFromEnv(), labName);
  const previous = await readPreviousLab();
  const { ports } = await chooseHostPorts(config, previous.plan?.ports, portsInUse);
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

/**
 * The program: what plain `pulumi up` runs (Pulumi.yaml's main, through Pulumi's Node.js language host) and what
 * LabStack hands to the Automation API as an inline program (served from the calling process). One function, two
 * ways in. The module exports nothing else: Pulumi's Node.js host refuses a main with a default and named exports.
 */
async function labProgram(): Promise<Record<string, pulumi.Output<string | string[]>>> {
  const args = await prepare();
  const lab = args.config.target === "kubernetes" ? new KubernetesLab("lab", args) : new KafkaLab("lab", args);
  return lab.outputs;
}

export default labProgram;
