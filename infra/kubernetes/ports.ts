// The ports a Kubernetes lab may not choose, for the port chooser (program/host-ports.ts): every pod's host ports and
// every Service's node ports outside the lab's namespace. Host ports on loopback (or every address) bind on the node,
// which such a lab expects to be this machine: nothing may listen on them here either.

import type { LabConfig } from "../model/config.js";
import type { PortsInUse } from "../model/lab-plan.js";
import { Cluster } from "./cluster.js";

const HERE = /^(127\.\d+\.\d+\.\d+|0\.0\.0\.0)$/;

export async function kubernetesPortsInUse(config: LabConfig, namespace: string): Promise<PortsInUse> {
  const cluster = new Cluster({ kubeconfig: config.kubeconfig, context: config.kubeContext });
  return {
    own: new Set(),
    elsewhere: await cluster.portsTaken(namespace),
    local: config.kubernetesOutside === "hostPort" && HERE.test(config.bindAddress),
  };
}
