// What the Kubernetes target checks before anything is declared, each problem naming the key to change: the kubeconfig
// and its context exist, the cluster answers, the lab's namespace is free or already the lab's, and a lab with
// persistence has a storage class to claim its volumes from.

import type { LabConfig } from "../model/config.js";
import type { ConfigProblem } from "../model/keys/keys.js";
import { LAB_LABEL } from "../model/specs.js";
import { Cluster, ClusterError, kubeconfigPath, loadKubeConfig, type ClusterSettings } from "./cluster.js";

/** The cluster the keys name, resolved (file and context), or the problem that stops it. */
export function clusterSettingsOf(
  config: Pick<LabConfig, "kubeconfig" | "kubeContext">,
  projectRoot: string,
): ClusterSettings | ConfigProblem {
  const kubeconfig = kubeconfigPath(config.kubeconfig, projectRoot);
  try {
    const kc = loadKubeConfig(kubeconfig, config.kubeContext);
    return { kubeconfig, context: kc.getCurrentContext() };
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    return {
      key: error.key,
      value: error.key === "kubeconfig" ? kubeconfig : config.kubeContext,
      allowed: error.message,
    };
  }
}

async function namespaceProblem(cluster: Cluster, namespace: string): Promise<ConfigProblem | undefined> {
  const labels = await cluster.namespaceLabels(namespace);
  if (labels === undefined || labels[LAB_LABEL] === namespace) return undefined;
  return {
    key: "target",
    value: "kubernetes",
    allowed: `the namespace ${namespace} exists on ${cluster.server} and is not this lab's (no label ${LAB_LABEL}=${namespace}): use another stack name, or remove that namespace`,
  };
}

async function storageProblem(cluster: Cluster, config: LabConfig): Promise<ConfigProblem | undefined> {
  if (!config.persistence) return undefined;
  const { names, defaultClass } = await cluster.storageClasses();
  if (config.storageClass !== "") {
    if (names.includes(config.storageClass)) return undefined;
    return {
      key: "storageClass",
      value: config.storageClass,
      allowed: `the cluster has no such StorageClass; it has ${names.join(", ") || "none"}`,
    };
  }
  if (defaultClass) return undefined;
  return {
    key: "persistence",
    value: "true",
    allowed:
      `the cluster has no default StorageClass to claim the lab's volumes from${names.length ? ` (it has ${names.join(", ")}: set storageClass to one)` : ""}; ` +
      "set persistence: false (each node keeps its data in an emptyDir, which lives as long as its pod), or give the cluster a default StorageClass",
  };
}

/**
 * The problems of a Kubernetes lab's keys against its cluster, and the cluster resolved (for the provider and the
 * outputs) when there are none.
 */
export async function kubernetesProblems(
  config: LabConfig,
  namespace: string,
  projectRoot: string,
): Promise<{ problems: ConfigProblem[]; settings?: ClusterSettings }> {
  const settings = clusterSettingsOf(config, projectRoot);
  if ("key" in settings) return { problems: [settings] };
  const cluster = new Cluster(settings);
  try {
    await cluster.version();
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    return { problems: [{ key: error.key, value: settings.context, allowed: error.message }] };
  }
  const found = await Promise.all([namespaceProblem(cluster, namespace), storageProblem(cluster, config)]);
  const problems = found.filter((p): p is ConfigProblem => p !== undefined);
  return problems.length > 0 ? { problems } : { problems, settings };
}
