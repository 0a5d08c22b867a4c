// The shared single-node cluster (../shared/kubernetes, beside the project) for the e2e's and the benchmark's
// Kubernetes labs: started with its up.sh (as root), the labs' local images loaded into it with load-image.sh, stopped
// with down.sh at the end, also on failure. kubectl (from the cluster's toolchain) goes on PATH for the INSIDE smoke
// test, as a user's own kubectl would be. What is left of a lab is asked of the API server: its namespace, and
// anything with its label.

import { existsSync } from "node:fs";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import { $ } from "zx";
import { Cluster } from "../infra/kubernetes/cluster.js";
import { LAB_LABEL } from "../infra/model/specs.js";
import { projectRoot } from "./paths.js";

type Log = (line: string) => void;

const SCRIPTS = join(projectRoot, "..", "shared", "kubernetes");

export interface TestCluster {
  kubeconfig: string;
  /** The kubeconfig's context of the cluster. */
  context: string;
  /** The node's address: where NodePorts listen. */
  nodeAddress: string;
  api: Cluster;
}

async function script(name: string, args: string[] = []): Promise<string> {
  const file = join(SCRIPTS, name);
  if (!existsSync(file)) throw new Error(`no ${file}: the e2e needs the shared cluster's scripts beside the project`);
  return (await $({ quiet: true })`bash ${file} ${args}`).stdout.trim();
}

/** Whether this process ran up.sh (a Ctrl-C then runs down.sh too). */
let startedHere = false;

/** Starts the cluster (idempotent), puts kubectl on PATH, loads the images; its API answers when this resolves. */
export async function startCluster(images: string[], log: Log): Promise<TestCluster> {
  const started = Date.now();
  startedHere = true;
  const kubeconfig = await script("up.sh");
  log(`  up.sh: the node is Ready after ${((Date.now() - started) / 1000).toFixed(1)}s; kubeconfig ${kubeconfig}`);
  const bin = await script("install.sh");
  if (!(process.env.PATH ?? "").split(":").includes(bin)) process.env.PATH = `${bin}:${process.env.PATH}`;
  const loading = Date.now();
  await script("load-image.sh", images);
  log(`  load-image.sh: ${images.join(", ")} in ${((Date.now() - loading) / 1000).toFixed(1)}s`);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const context = kc.getCurrentContext();
  const api = new Cluster({ kubeconfig, context });
  log(`  Kubernetes ${await api.version()} at ${api.server}, context ${context}`);
  const node = (await api.core.listNode()).items[0];
  const nodeAddress = node?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  if (!nodeAddress) throw new Error("the cluster's node has no InternalIP");
  return { kubeconfig, context, nodeAddress, api };
}

/** down.sh: every process, pod, mount, bridge and iptables chain of the cluster goes; then none may be left. */
export async function stopCluster(log: Log): Promise<void> {
  const started = Date.now();
  await script("down.sh");
  startedHere = false;
  const left = [];
  if ((await $({ nothrow: true, quiet: true })`pgrep -x kube-apiserver`).exitCode === 0) left.push("kube-apiserver");
  if ((await $({ nothrow: true, quiet: true })`ip link show cni0`).exitCode === 0) left.push("the bridge cni0");
  if (left.length > 0) throw new Error(`down.sh left ${left.join(" and ")}`);
  log(`  down.sh: stopped in ${((Date.now() - started) / 1000).toFixed(1)}s; no kube-apiserver, no cni0`);
}

/** What the cluster still holds of a lab: its namespace, and pods or Services with its label anywhere. */
export async function kubernetesLeftovers(api: Cluster, labName: string): Promise<string[]> {
  const left: string[] = [];
  if ((await api.namespaceLabels(labName)) !== undefined) left.push(`namespace ${labName}`);
  const labelSelector = `${LAB_LABEL}=${labName}`;
  const pods = await api.core.listPodForAllNamespaces({ labelSelector });
  const services = await api.core.listServiceForAllNamespaces({ labelSelector });
  left.push(...pods.items.map((p) => `pod ${p.metadata?.namespace}/${p.metadata?.name}`));
  left.push(...services.items.map((s) => `service ${s.metadata?.namespace}/${s.metadata?.name}`));
  return left;
}

/** Removes a lab's namespace that an earlier, killed run left (only a namespace labelled as that lab's). */
export async function removeLabNamespace(api: Cluster, labName: string, log: Log): Promise<void> {
  const labels = await api.namespaceLabels(labName);
  if (labels?.[LAB_LABEL] !== labName) return;
  log(`  removing namespace ${labName}, left by an earlier run`);
  await api.core.deleteNamespace({ name: labName });
  for (let i = 0; i < 120 && (await api.namespaceLabels(labName)) !== undefined; i++)
    await new Promise((resolve) => setTimeout(resolve, 500));
}

/** On an interrupted run: stops the cluster if this process started it. */
export async function stopClusterIfStarted(log: Log): Promise<void> {
  if (startedHere) await stopCluster(log).catch((error: Error) => log(`  down.sh: ${error.message}`));
}
