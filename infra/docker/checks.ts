// What the Docker target checks before anything is declared: the engine the keys name answers, and a remote engine
// (named by the keys or by DOCKER_HOST) gets addresses its clients can reach (not loopback).

import type { LabConfig } from "../model/config.js";
import type { ConfigProblem } from "../model/keys/keys.js";
import { engineFromEnv, request, type EngineSettings } from "./docker-engine.cjs";
import { engineOf, remoteEngineProblems } from "./engine.js";

/** Why the engine the keys name cannot be used (asked once, through the transport every step uses). */
async function engineUnreachable(engine: EngineSettings): Promise<ConfigProblem | undefined> {
  try {
    const { status } = await request(engine, "GET", "/_ping");
    if (status === 200) return undefined;
    return { key: "dockerHost", value: engine.host, allowed: `the engine answered /_ping with HTTP ${status}` };
  } catch (error) {
    return { key: "dockerHost", value: engine.host, allowed: (error as Error).message };
  }
}

/** What a remote engine (the keys' or, without dockerHost, the environment's) needs of the other keys. Pure. */
export function remoteKeysProblems(config: LabConfig): ConfigProblem[] {
  return remoteEngineProblems(engineOf(config) ?? engineFromEnv(), config);
}

export async function dockerProblems(config: LabConfig): Promise<ConfigProblem[]> {
  const remote = remoteKeysProblems(config);
  const configured = engineOf(config);
  if (remote.length > 0 || !configured) return remote;
  const unreachable = await engineUnreachable(configured);
  return unreachable ? [unreachable] : [];
}
