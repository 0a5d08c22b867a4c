// An end-to-end lab: created by the real `pulumi up` on its own stack (through lib/pulumi-stack.ts, the path the
// lab:* scripts take), checked, then `pulumi preview` must show no changes, then `pulumi destroy` must leave no
// container, network or volume of it. The topology built from the same settings says what to expect.

import type { ConfigKey } from "../../infra/model/config.js";
import { DOCKER_PROVIDER_VERSION } from "../../infra/docker/docker-lab.js";
import { Cluster } from "../../infra/kubernetes/cluster.js";
import { KUBERNETES_PROVIDER_VERSION } from "../../infra/kubernetes/kubernetes-lab.js";
import type { LabTarget } from "../../infra/model/config.js";
import { kubernetesLeftovers } from "../../lib/kube-cluster.js";
import type { LabPlan } from "../../infra/model/lab-plan.js";
import { buildTopology, LAB_LABEL, type LabTopology } from "../../infra/model/topology.js";
import { LabStack, plannedChanges } from "../../lib/pulumi-stack.js";
import { configFromStackFile, rawSettings, type ConfigValue } from "../../lib/stack-files.js";
import type { CheckRunner } from "./checks.js";
import { dockerEngine } from "../../lib/docker.js";
import { containerIdsOf, leftoversOf, removeLabelled, type Log } from "./containers.js";

import { projectName } from "../../lib/paths.js";

export const PROJECT = projectName();

export interface LabDefinition {
  title: string;
  stack: string;
  /** The tracked stack file the lab starts from. */
  trackedFile: string;
  /** Settings on top of it (local images, ports that do not clash, the feature under test). */
  overrides: Partial<Record<ConfigKey, ConfigValue>>;
  /** Secrets stored (encrypted) in the machine's stack file before `pulumi up`. */
  secrets?: Partial<Record<ConfigKey, string>>;
}

export interface ProvisionedLab {
  definition: LabDefinition;
  stack: LabStack;
  /** What the lab must look like: the topology of the same settings. */
  topology: LabTopology;
  /** Container key to the ID of the container Pulumi created. */
  ids: Map<string, string>;
}

/**
 * The topology the program builds from the lab's settings (secrets included), as the expectation: of a lab made
 * now, or, given the plan the lab keeps (its labPlan output), of the lab as it is.
 */
export function topologyOf(definition: LabDefinition, plan?: LabPlan): LabTopology {
  const raw = rawSettings({ ...definition.overrides, ...definition.secrets });
  const config = configFromStackFile(definition.trackedFile, raw);
  return buildTopology(config, { project: PROJECT, stack: definition.stack }, plan);
}

/** The toolchain's note that it uses the provider plugins on PATH (its README says so): expected on every command. */
export const PLUGIN_ON_PATH = /using pulumi-resource-(docker|kubernetes) from \$PATH/;

/**
 * Every warning the engine printed during this run, by its text (from "warning:" on), with how often: what a
 * provider that does not know a property, or treats one otherwise, would say.
 */
export const engineWarnings = new Map<string, number>();

function noteWarning(line: string): void {
  const at = line.indexOf("warning:");
  if (at < 0) return;
  const text = line.slice(at).trim();
  engineWarnings.set(text, (engineWarnings.get(text) ?? 0) + 1);
}

/** Pulumi's progress, line by line, indented; the toolchain's note about the provider on PATH is left out. */
export function pulumiOutputTo(log: Log): (chunk: string) => void {
  let pending = "";
  return (chunk) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      noteWarning(line);
      if (line.trim() === "" || line.startsWith("@ ") || PLUGIN_ON_PATH.test(line)) continue;
      log(`  | ${line}`);
    }
  };
}

export function labStackOf(definition: LabDefinition, log: Log): LabStack {
  return new LabStack({
    stack: definition.stack,
    trackedFile: definition.trackedFile,
    overrides: definition.overrides,
    secrets: definition.secrets ?? {},
    output: pulumiOutputTo(log),
  });
}

/** Opens the stack, which stores the definition's secrets in the machine's stack file. */
export async function openStack(definition: LabDefinition, log: Log): Promise<LabStack> {
  return labStackOf(definition, log).open();
}

/** A preview must plan nothing: `pulumi up` is idempotent and what it made is still there. */
export async function expectNoChanges(stack: LabStack, log: Log, refresh = false): Promise<void> {
  const preview = await stack.preview({ refresh });
  const changes = plannedChanges(preview);
  log(`  preview${refresh ? " --refresh" : ""}: ${JSON.stringify(preview.changeSummary)}`);
  if (Object.keys(changes).length > 0) {
    const planned = preview.stdout
      .split("\n")
      .filter((l) => /^\s*[-+~]/.test(l))
      .join("\n");
    throw new Error(`pulumi preview plans ${JSON.stringify(changes)}:\n${planned}`);
  }
}

/** The lab's containers in the order they stopped ("die" events) since `sinceSeconds`, from the engine's log. */
async function stopOrder(topology: LabTopology, sinceSeconds: number): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${LAB_LABEL}=${topology.labName}`], event: ["die"] }));
  const until = Math.ceil(Date.now() / 1000) + 1;
  const { data } = await dockerEngine().request(
    "GET",
    `/events?since=${sinceSeconds}&until=${until}&filters=${filters}`,
  );
  const names = data
    .toString()
    .split("\n")
    .filter((l) => l.trim().startsWith("{"))
    .map((l) => (JSON.parse(l) as { Actor: { Attributes: { name: string } } }).Actor.Attributes.name);
  return [...new Set(names)];
}

/** Every container stopped before the containers it depends on (a broker before its ZooKeeper). */
function expectDependentsStoppedFirst(topology: LabTopology, order: string[]): void {
  for (const spec of topology.containers) {
    for (const key of spec.dependsOn) {
      const dependency = topology.containers.find((c) => c.key === key)!;
      const [mine, theirs] = [order.indexOf(spec.name), order.indexOf(dependency.name)];
      if (mine < 0 || theirs < 0 || mine > theirs)
        throw new Error(`${spec.key} must stop before ${key}, which it depends on; they stopped: ${order.join(", ")}`);
    }
  }
}

/**
 * `pulumi destroy`, then nothing of the lab may be left, and its containers must have stopped in dependency order
 * (brokers before ZooKeeper: a controlled shutdown needs it); the stack is removed.
 */
export async function destroyLab(
  stack: LabStack,
  topology: LabTopology,
  log: Log,
  destroy: (stack: LabStack) => Promise<void> = (s) => s.destroy(),
): Promise<void> {
  const started = Date.now();
  await destroy(stack);
  log(`  pulumi destroy took ${((Date.now() - started) / 1000).toFixed(1)}s`);
  if (topology.config.target === "kubernetes") {
    // Pulumi deletes dependents first (the brokers before ZooKeeper); the namespace goes last, with all in it.
    const left = await kubernetesLeftovers(clusterOf(topology), topology.labName);
    if (left.length > 0) throw new Error(`pulumi destroy left behind: ${left.join(", ")}`);
    log(`  the cluster holds nothing of ${topology.labName}: no namespace, no pod or Service with its label`);
    await stack.remove();
    return;
  }
  const left = await leftoversOf(topology.labName);
  if (left.length > 0) throw new Error(`pulumi destroy left behind: ${left.join(", ")}`);
  const order = await stopOrder(topology, Math.floor(started / 1000) - 1);
  if (topology.containers.some((c) => c.dependsOn.length > 0)) {
    expectDependentsStoppedFirst(topology, order);
    log(`  stopped in this order: ${order.map((n) => n.replace(`${topology.labName}-`, "")).join(", ")}`);
  }
  await stack.remove();
}

export interface LabRunOptions {
  /** Leave the lab running (no preview, no destroy) for a look. */
  keep?: boolean;
  /** How the lab is destroyed (default: `pulumi destroy` through the stack); then nothing of it may be left. */
  destroyWith?: (stack: LabStack) => Promise<void>;
}

/**
 * `pulumi up`, the body's checks, a preview that must plan nothing, and `pulumi destroy` with no leftovers, each
 * a check of its own. Destroy runs also when up or a check failed; the body runs only after a successful up.
 */
export async function withPulumiLab(
  checks: CheckRunner,
  definition: LabDefinition,
  log: Log,
  body: (lab: ProvisionedLab) => Promise<void>,
  options: LabRunOptions = {},
): Promise<void> {
  const topology = topologyOf(definition);
  const { title } = definition;
  let stack: LabStack | undefined;
  let lab: ProvisionedLab | undefined;
  const containers = topology.containers.map((c) => `${c.key} (${c.image})`).join(", ");
  await checks.run(
    `${title}: pulumi up on stack ${definition.stack} returns with ${topology.containers.length} healthy containers, the topics and working consumer groups`,
    async () => {
      log(`  ${containers} on ${topology.network.name}`);
      stack = await openStack(definition, log);
      // A run whose destroy failed left its state; the leftovers' check has removed its containers since.
      const earlier = await stack.hasLab();
      if (earlier) log(`  stack ${definition.stack} holds a lab of an earlier run: up refreshes first`);
      const started = Date.now();
      const result = await stack.up({ refresh: earlier });
      log(
        `  pulumi up took ${((Date.now() - started) / 1000).toFixed(1)}s: ${JSON.stringify(result.summary.resourceChanges ?? {})}`,
      );
      lab = { definition, stack, topology, ids: await idsOf(topology) };
    },
  );
  try {
    if (lab) {
      await body(lab);
      await checks.run(`${title}: pulumi preview plans no changes`, () => expectNoChanges(lab!.stack, log));
    }
  } finally {
    if (options.keep && lab) {
      log(`--keep: ${topology.labName} left running; remove it with: npm run lab:down -- --stack ${definition.stack}`);
    } else if (!stack) {
      await removeLabelled(topology.labName, log); // the stack never opened: the up check failed already
    } else {
      const opened = stack;
      const how = options.destroyWith ? "npm run lab:down" : "pulumi destroy";
      const nothing =
        topology.config.target === "kubernetes" ? "no object and no namespace" : "no container, network or volume";
      await checks.run(`${title}: ${how} leaves ${nothing} of the lab`, () =>
        destroyLab(opened, topology, log, options.destroyWith),
      );
    }
  }
}

/** The pinned provider of each target, as its package names it. */
export const PINNED_PROVIDERS = {
  docker: { package: "docker", version: DOCKER_PROVIDER_VERSION },
  kubernetes: { package: "kubernetes", version: KUBERNETES_PROVIDER_VERSION },
} as const;

/** The state holds one provider of the lab's target, at the pinned version, and every resource of it goes through it. */
export async function providerPinned(stack: LabStack, target: LabTarget): Promise<string> {
  const { package: name, version } = PINNED_PROVIDERS[target];
  const resources = await stack.resources();
  const providers = resources.filter((r) => r.type === `pulumi:providers:${name}`);
  if (providers.length !== 1) throw new Error(`expected one ${name} provider in the state, found ${providers.length}`);
  const [provider] = providers;
  if (provider!.inputs?.version !== version)
    throw new Error(`the ${name} provider is at ${String(provider!.inputs?.version)}, not ${version}`);
  const own = resources.filter((r) => r.type.startsWith(`${name}:`));
  const strays = own.filter((r) => !r.provider?.startsWith(`${provider!.urn}::`));
  if (own.length === 0 || strays.length > 0)
    throw new Error(
      `${name} resources not through ${provider!.urn}: ${strays.map((r) => r.urn).join(", ") || "none at all"}`,
    );
  return `${own.length} ${name} resources through the provider at ${version}`;
}

/** The cluster a Kubernetes lab runs on, as its config names it. */
export function clusterOf(topology: LabTopology): Cluster {
  return new Cluster({ kubeconfig: topology.config.kubeconfig, context: topology.config.kubeContext });
}

/** Container key to Docker container ID; none on Kubernetes (pods are the StatefulSets' to replace). */
async function idsOf(topology: LabTopology): Promise<Map<string, string>> {
  return topology.config.target === "docker" ? containerIdsOf(topology) : new Map();
}
