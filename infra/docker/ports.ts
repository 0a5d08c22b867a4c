// The host ports a Docker engine's containers publish, for the port chooser (program/host-ports.ts): the lab's own,
// and every other container's. A local engine publishes on this machine.

import { request, type EngineSettings } from "./docker-engine.cjs";
import { LAB_LABEL } from "../model/specs.js";
import type { PortsInUse } from "../model/lab-plan.js";

interface ListedContainer {
  Labels: Record<string, string> | null;
  Ports: Array<{ PublicPort?: number }>;
}

export async function dockerPortsInUse(engine: EngineSettings, labName: string): Promise<PortsInUse> {
  const { status, data } = await request(engine, "GET", "/containers/json?all=1");
  if (status >= 400) throw new Error(`the Docker engine did not list its containers (${status}): ${data.toString()}`);
  const containers = JSON.parse(data.toString()) as ListedContainer[];
  const portsOfAll = (list: ListedContainer[]) =>
    new Set(list.flatMap((c) => c.Ports.map((p) => p.PublicPort).filter((p): p is number => p !== undefined)));
  return {
    own: portsOfAll(containers.filter((c) => c.Labels?.[LAB_LABEL] === labName)),
    elsewhere: portsOfAll(containers.filter((c) => c.Labels?.[LAB_LABEL] !== labName)),
    local: engine.host.startsWith("unix://"),
  };
}
