// Chooses the host ports of the keys a stack leaves at 0, once, on the lab's first `pulumi up` (lab-plan.ts keeps
// them): the first candidate whose every port is free on the target (docker/ports.ts: no other container publishes
// it; kubernetes/cluster.ts: no pod's host port, no Service's node port) and, when the ports bind on this machine,
// here too (nothing listens on it at bindAddress). Ports that the lab's own containers hold count as free, so a first
// `pulumi up` that failed half-way chooses the same ports again.

import { createServer } from "node:net";
import type { LabConfig } from "../model/config.js";
import { portCandidates, portsOf, portsToChoose, type PortAssignment, type PortsInUse } from "../model/lab-plan.js";
import { publishedPortKeys } from "../model/topology.js";

/** Whether nothing on this machine listens on the port at the address. */
function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface PortChoice {
  ports: PortAssignment;
  /** Whether the ports were looked for now (rather than kept or set). */
  chosenNow: boolean;
}

/**
 * The ports for this config: those the stack sets, those the lab kept, and for the rest the first free candidate.
 */
export async function chooseHostPorts(
  config: LabConfig,
  kept: PortAssignment | undefined,
  portsInUse: () => Promise<PortsInUse>,
): Promise<PortChoice> {
  const published = publishedPortKeys(config);
  const { fixed, toChoose } = portsToChoose(config, kept, published);
  if (toChoose.length === 0) return { ports: fixed, chosenNow: false };
  const { own, elsewhere, local } = await portsInUse();
  const chosenKeys = new Set<string>(toChoose.map(([key]) => key));
  for (const candidate of portCandidates(config, kept, published)) {
    const ports = portsOf(Object.fromEntries(Object.entries(candidate).filter(([key]) => chosenKeys.has(key))));
    if (ports.some((p) => elsewhere.has(p))) continue;
    const free = local ? await Promise.all(ports.map((p) => own.has(p) || canListen(p, config.bindAddress))) : [];
    if (free.every(Boolean)) return { ports: candidate, chosenNow: true };
  }
  throw new Error(
    "no free block of host ports for the lab: set kafka-lab:outsidePort (and the other ports) to ports that are free",
  );
}
