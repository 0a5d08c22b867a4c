// The keys of the Kubernetes target: which cluster (a kubeconfig and its context), how clients outside the cluster
// reach the OUTSIDE listener and the REST APIs (a hostPort on the node, or a NodePort Service), and the storage class
// of the lab's volumes; and the rules between them and the other keys. Pure.

import { oneOfKey, stringKey, type Fail, type KeySet, type ValuesOf } from "./keys.js";
import { DOCKER_KEYS } from "./docker-keys.js";
import type { LAB_KEYS } from "./lab-keys.js";

export type OutsideAccess = "hostPort" | "nodePort";
export const OUTSIDE_ACCESS: readonly OutsideAccess[] = ["hostPort", "nodePort"];
/** Kubernetes' default range for NodePort Services (the API server's --service-node-port-range). */
export const NODE_PORTS = { first: 30000, last: 32767 } as const;

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export const KUBERNETES_KEYS = {
  kubeconfig: stringKey({
    default: "",
    description:
      "With target kubernetes: the kubeconfig file (absolute, or from the project root); empty: KUBECONFIG, else ~/.kube/config.",
  }),
  kubeContext: stringKey({
    default: "",
    description: "With target kubernetes: the kubeconfig's context to use; empty: its current context.",
  }),
  kubernetesOutside: oneOfKey<OutsideAccess>({
    default: "hostPort",
    allowed: OUTSIDE_ACCESS,
    description:
      "With target kubernetes: how clients outside the cluster reach the lab's ports: hostPort (on the node, at bindAddress) or nodePort (a NodePort Service; ports 30000-32767).",
    details: "hostPort suits a single-node cluster on your machine; with nodePort set outsideHost to a node's address.",
  }),
  storageClass: stringKey({
    default: "",
    description:
      "With target kubernetes and persistence: the StorageClass of the lab's PersistentVolumeClaims; empty: the cluster's default.",
    check: (text) =>
      text === "" || K8S_NAME.test(text)
        ? undefined
        : "must be a StorageClass name (lower-case letters, digits, '-', '.')",
  }),
} as const satisfies KeySet;

type Config = ValuesOf<typeof KUBERNETES_KEYS & typeof DOCKER_KEYS & typeof LAB_KEYS>;

const changed = (config: Config, key: keyof typeof DOCKER_KEYS) =>
  JSON.stringify(config[key]) !== JSON.stringify(DOCKER_KEYS[key].default);
const shown = (value: unknown) => (Array.isArray(value) ? value.join(" ") : String(value));

/** The Docker target's keys, set on a Kubernetes lab (they would do nothing), and the other way round. */
export function targetRules(config: Config, fail: Fail): void {
  if (config.target === "kubernetes") {
    for (const key of Object.keys(DOCKER_KEYS) as Array<keyof typeof DOCKER_KEYS>) {
      if (!changed(config, key)) continue;
      const value = DOCKER_KEYS[key].secret ? "[secret]" : shown(config[key]);
      fail(key, value, "applies to target docker only; on Kubernetes it means nothing: remove it");
    }
    if (config.keepVolumes)
      fail(
        "keepVolumes",
        "true",
        "applies to target docker only: on Kubernetes, pulumi destroy removes the lab's namespace with its volume claims",
      );
    if (config.kubernetesOutside === "nodePort" && config.bindAddress !== "127.0.0.1")
      fail(
        "bindAddress",
        config.bindAddress,
        "means nothing with kubernetesOutside nodePort (the cluster's kube-proxy decides where NodePorts listen): remove it",
      );
    return;
  }
  for (const key of Object.keys(KUBERNETES_KEYS) as Array<keyof typeof KUBERNETES_KEYS>) {
    if (config[key] !== KUBERNETES_KEYS[key].default)
      fail(key, config[key], "applies to target kubernetes only: set target: kubernetes, or remove it");
  }
}
