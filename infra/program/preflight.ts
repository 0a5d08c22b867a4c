// The checks a stack's config must pass before anything of the lab is declared: every key parsed and the rules
// between them (config.ts), and the Docker engine the config names (reachable; a remote one with addresses that
// its clients can reach). The program runs them first; LabStack runs the same function before Pulumi starts, so a
// bad setting is refused in about a second, printed once.

import { ConfigError, configError, parseLabConfig, type LabConfig, type RawConfig } from "../model/config.js";
import type { ConfigProblem } from "../model/keys/keys.js";
import { engineFromEnv, request, type EngineSettings } from "../docker/docker-engine.cjs";
import { engineOf, remoteEngineProblems } from "../docker/engine.js";
import { readProjectFile } from "./project-files.js";

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

/**
 * The lab's config from the stack's raw values (as Pulumi hands them to the program: strings, lists as JSON text)
 * and the keys it holds in plain text. Throws a ConfigError naming every problem.
 */
export async function checkStackConfig(values: RawConfig, plaintextKeys: readonly string[]): Promise<LabConfig> {
  const config = parseLabConfig(values, { plaintextKeys, readFile: readProjectFile });
  const configured = engineOf(config);
  if (configured) {
    const unreachable = await engineUnreachable(configured);
    if (unreachable) throw configError([unreachable]);
  } else {
    // A remote engine that the environment names (one the keys name was checked with the config).
    const remote = remoteEngineProblems(engineFromEnv(), config);
    if (remote.length > 0) throw configError(remote);
  }
  return config;
}

export { ConfigError };
