// The keys that concern the whole lab rather than one service: where it runs (target), where its ports are published
// and advertised, how long `pulumi up` waits, what stays behind on destroy. Pure.

import {
  booleanKey,
  integerKey,
  isValidHost,
  oneOfKey,
  stringKey,
  type Fail,
  type KeySet,
  type ValuesOf,
} from "./keys.js";
import { isIP } from "node:net";

export type LabMode = "zookeeper" | "kraft";
export const LAB_MODES: readonly LabMode[] = ["zookeeper", "kraft"];
export type LabTarget = "docker" | "kubernetes";
export const LAB_TARGETS: readonly LabTarget[] = ["docker", "kubernetes"];

export const LAB_KEYS = {
  target: oneOfKey<LabTarget>({
    default: "docker",
    allowed: LAB_TARGETS,
    description:
      "Where the lab runs: docker (containers on a Docker engine) or kubernetes (StatefulSets in a namespace of the kubeconfig's cluster).",
    details: "See [Kubernetes](kubernetes.md).",
  }),
  mode: oneOfKey<LabMode>({
    default: "zookeeper",
    allowed: LAB_MODES,
    description: "Cluster coordination: zookeeper (Kafka 3.9 with ZooKeeper) or kraft (Kafka 4.x, no ZooKeeper).",
    details: "See [Clusters and KRaft](clusters-and-kraft.md).",
  }),
  outsideHost: stringKey({
    default: "localhost",
    description: "Host name the OUTSIDE listener advertises; host clients must be able to reach it.",
    details: "It must resolve, for your clients, to the machine running Docker.",
    check: (text) =>
      isValidHost(text) ? undefined : "must be a host name (letters, digits, dots, hyphens) or an IP address",
  }),
  bindAddress: stringKey({
    default: "127.0.0.1",
    description: "Host IP address that published ports bind to. 0.0.0.0 exposes the lab to your network.",
    check: (text) =>
      isIP(text) !== 0
        ? undefined
        : "must be an IP address such as 127.0.0.1 (0.0.0.0 exposes the lab to your network)",
  }),
  waitTimeoutSeconds: integerKey({
    default: 180,
    min: 10,
    max: 3600,
    description: "How long pulumi up waits for each container to become healthy.",
  }),
  persistence: booleanKey({
    default: true,
    description:
      "Give each broker and ZooKeeper node a named volume of the stack, so data and committed offsets survive re-created containers.",
    details:
      "Volumes are named `<lab>-kafka-1-data`, ...; `pulumi destroy` removes them unless `keepVolumes`. Off, a re-created container starts empty.",
  }),
  keepVolumes: booleanKey({
    default: false,
    description: "With persistence, keep the volumes when the lab is destroyed (off: destroy removes them).",
  }),
} as const satisfies KeySet;

export function labRules(config: ValuesOf<typeof LAB_KEYS>, fail: Fail): void {
  if (config.keepVolumes && !config.persistence) {
    fail("keepVolumes", "true", "needs persistence: true (without persistence there are no volumes to keep)");
  }
}
