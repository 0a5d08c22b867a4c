// Chooses the host ports of the keys a stack leaves at 0, once, on the lab's first `pulumi up` (lab-plan.ts keeps
// them): the first candidate whose every port is free on the Docker engine (no other container publishes it) and, on
// a local engine, on this machine (nothing listens on it at bindAddress). Ports that the lab's own containers hold
// count as free, so a first `pulumi up` that failed half-way chooses the same ports again.

import { createServer } from "node:net";
import type { LabConfig } from "../model/config.js";
import { request, type EngineSettings } from "../docker/docker-engine.cjs";
import { portCandidates, portsOf, portsToChoose, type PortAssignment } from "../model/lab-plan.js";
import { LAB_LABEL } from "../model/specs.js";
import { publishedPortKeys } from "../model/topology.js";

interface ListedContainer {
  Labels: Record<string, string> | null;
  Ports: Array<{ PublicPort?: number }>;
}

/** Host ports the engine's containers publish: the lab's own, and every other container's. */
async function publishedPorts(
  engine: EngineSettings,
  labName: string,
): Promise<{ own: Set<number>; elsewhere: Set<number> }> {
  const { status, data } = await request(engine, "GET", "/containers/json?all=1");
  if (status >= 400) throw new Error(`the Docker engine did not list its containers (${status}): ${data.toString()}`);
  const containers = JSON.parse(data.toString()) as ListedContainer[];
  const portsOfAll = (list: ListedContainer[]) =>
    new Set(list.flatMap((c) => c.Ports.map((p) => p.PublicPort).filter((p): p is number => p !== undefined)));
  return {
    own: portsOfAll(containers.filter((c) => c.Labels?.[LAB_LABEL] === labName)),
    elsewhere: portsOfAll(containers.filter((c) => c.Labels?.[LAB_LABEL] !== labName)),
  };
}

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
  labName: string,
  engine: EngineSettings,
): Promise<PortChoice> {
  // A local engine publishes on this machine: a port must be free here too.
  const localEngine = engine.host.startsWith("unix://");
  const published = publishedPortKeys(config);
  const { fixed, toChoose } = portsToChoose(config, kept, published);
  if (toChoose.length === 0) return { ports: fixed, chosenNow: false };
  const { own, elsewhere } = await publishedPorts(engine, labName);
  const chosenKeys = new Set<string>(toChoose.map(([key]) => key));
  for (const candidate of portCandidates(config, kept, published)) {
    const ports = portsOf(Object.fromEntries(Object.entries(candidate).filter(([key]) => chosenKeys.has(key))));
    if (ports.some((p) => elsewhere.has(p))) continue;
    const free = localEngine ? await Promise.all(ports.map((p) => own.has(p) || canListen(p, config.bindAddress))) : [];
    if (free.every(Boolean)) return { ports: candidate, chosenNow: true };
  }
  throw new Error(
    "no free block of host ports for the lab: set kafka-lab:outsidePort (and the other ports) to ports that are free",
  );
}
