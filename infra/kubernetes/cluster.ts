// The cluster a Kubernetes lab runs on, reached as kubectl would reach it: the kubeconfig the keys name (else
// KUBECONFIG, else ~/.kube/config) and its context (else the current one), through @kubernetes/client-node. What the
// program asks the cluster before it declares anything: does it answer, is the namespace free, is there a storage
// class, which host and node ports are taken.

import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import * as k8s from "@kubernetes/client-node";

/** Which cluster, resolved: a kubeconfig file and one of its contexts. */
export interface ClusterSettings {
  kubeconfig: string;
  context: string;
}

/** The kubeconfig file: the key's (absolute, or from the project root), else KUBECONFIG's first file, else ~/.kube/config. */
export function kubeconfigPath(configured: string, projectRoot: string, env = process.env): string {
  if (configured !== "") return isAbsolute(configured) ? configured : resolve(projectRoot, configured);
  const fromEnv = (env.KUBECONFIG ?? "").split(delimiter).find((file) => file !== "");
  return fromEnv ?? join(homedir(), ".kube", "config");
}

export class ClusterError extends Error {
  constructor(
    readonly key: "kubeconfig" | "kubeContext",
    message: string,
  ) {
    super(message);
  }
}

/** The kubeconfig loaded with the context selected; a ClusterError names the key to change. */
export function loadKubeConfig(file: string, context: string): k8s.KubeConfig {
  if (!existsSync(file))
    throw new ClusterError("kubeconfig", `there is no kubeconfig at ${file}: set it to your cluster's kubeconfig file`);
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (error) {
    throw new ClusterError("kubeconfig", `${file} is not a kubeconfig kubectl could read: ${(error as Error).message}`);
  }
  const names = kc.getContexts().map((c) => c.name);
  const chosen = context !== "" ? context : kc.getCurrentContext();
  if (!chosen)
    throw new ClusterError("kubeContext", `${file} has no current context: set one of ${names.join(", ") || "(none)"}`);
  if (!names.includes(chosen))
    throw new ClusterError("kubeContext", `${file} has no context ${chosen}; it has ${names.join(", ") || "none"}`);
  kc.setCurrentContext(chosen);
  return kc;
}

/** The cluster's API, on the context the settings name. */
export class Cluster {
  readonly kc: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly server: string;

  constructor(readonly settings: ClusterSettings) {
    this.kc = loadKubeConfig(settings.kubeconfig, settings.context);
    this.core = this.kc.makeApiClient(k8s.CoreV1Api);
    this.server = this.kc.getCurrentCluster()?.server ?? "(no server)";
  }

  /** The API server's version; a ClusterError when it does not answer within `seconds`. */
  async version(seconds = 10): Promise<string> {
    const api = this.kc.makeApiClient(k8s.VersionApi);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), seconds * 1000).unref(),
    );
    try {
      const info = await Promise.race([api.getCode(), timeout]);
      return info.gitVersion;
    } catch (error) {
      const why = (error as Error).message.split("\n")[0];
      throw new ClusterError(
        "kubeContext",
        `the cluster of context ${this.settings.context} (${this.server}) does not answer: ${why}`,
      );
    }
  }

  /** The namespace's labels, or undefined when there is none of that name. */
  async namespaceLabels(name: string): Promise<Record<string, string> | undefined> {
    try {
      return (await this.core.readNamespace({ name })).metadata?.labels ?? {};
    } catch (error) {
      if (error instanceof k8s.ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  /** The storage classes, and which one is the default (the annotation Kubernetes reads). */
  async storageClasses(): Promise<{ names: string[]; defaultClass: string | undefined }> {
    const { items } = await this.kc.makeApiClient(k8s.StorageV1Api).listStorageClass();
    const isDefault = (c: k8s.V1StorageClass) =>
      c.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true";
    return { names: items.map((c) => c.metadata!.name!), defaultClass: items.find(isDefault)?.metadata?.name };
  }

  /** Host ports of every pod and node ports of every Service, outside the namespace `except`. */
  async portsTaken(except: string): Promise<Set<number>> {
    const pods = (await this.core.listPodForAllNamespaces()).items.filter((p) => p.metadata?.namespace !== except);
    const services = (await this.core.listServiceForAllNamespaces()).items.filter(
      (s) => s.metadata?.namespace !== except,
    );
    const hostPorts = pods.flatMap((p) =>
      (p.spec?.containers ?? []).flatMap((c) => c.ports ?? []).map((p) => p.hostPort),
    );
    const nodePorts = services.flatMap((s) => (s.spec?.ports ?? []).map((p) => p.nodePort));
    return new Set([...hostPorts, ...nodePorts].filter((p): p is number => typeof p === "number" && p > 0));
  }
}
