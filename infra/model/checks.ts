// The rules across keys that need the lab's topology: the host ports it publishes, none past 65535, no two ranges
// overlapping, and on Kubernetes NodePorts within the cluster's range. And parseLabConfig, the whole check: every key, the rules of the lab and of each service
// (config.ts), then these; it names every problem before anything is created. Pure.

import {
  configError,
  readLabConfig,
  type ConfigKey,
  type LabConfig,
  type ParseOptions,
  type RawConfig,
} from "./config.js";
import { CONFIG_KEYS } from "./all-keys.js";
import type { ConfigProblem } from "./keys/keys.js";
import { NODE_PORTS } from "./keys/kubernetes-keys.js";
import { usesNodePorts } from "./lab-plan.js";
import { buildTopology } from "./topology.js";

interface PortRange {
  key: ConfigKey;
  what: string;
  first: number;
  last: number;
}

const spanOf = (r: PortRange) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`);

/** The host ports the topology publishes, as one range per key, in the order the lab publishes them. */
function publishedRanges(config: LabConfig): PortRange[] {
  const ranges = new Map<ConfigKey, PortRange>();
  const topology = buildTopology(config, { project: "kafka-lab", stack: "config-check" });
  for (const port of topology.containers.flatMap((c) => c.ports)) {
    const key = port.key as ConfigKey;
    const range = ranges.get(key);
    if (!range) ranges.set(key, { key, what: port.what, first: port.external, last: port.external });
    else
      Object.assign(range, { first: Math.min(range.first, port.external), last: Math.max(range.last, port.external) });
  }
  return [...ranges.values()];
}

/** Whether the stack set the key to something else than its default (Pulumi hands the program every default). */
function isChanged(config: LabConfig, key: ConfigKey): boolean {
  return config[key] !== CONFIG_KEYS[key].default;
}

/**
 * Host ports past 65535, and ranges that overlap another one. The problem names the key that is likelier the one to
 * change: a key the stack set rather than one left to the lab, else the one with fewer ports (one service's port
 * rather than the brokers' block), else the later one.
 */
function checkPorts(config: LabConfig, problems: ConfigProblem[]): void {
  const size = (r: PortRange) => r.last - r.first;
  const ranges = publishedRanges(config).sort(
    (a, b) => Number(isChanged(config, a.key)) - Number(isChanged(config, b.key)) || size(b) - size(a),
  );
  ranges.forEach((range, i) => {
    if (range.last > 65535) {
      problems.push({
        key: range.key,
        value: String(range.first),
        allowed: `${range.what} ${spanOf(range)} run past 65535; choose at most ${65535 - (range.last - range.first)}`,
      });
      return;
    }
    if (
      usesNodePorts(config) &&
      isChanged(config, range.key) &&
      (range.first < NODE_PORTS.first || range.last > NODE_PORTS.last)
    ) {
      problems.push({
        key: range.key,
        value: String(range.first),
        allowed: `${range.what} ${spanOf(range)} would be NodePorts, which Kubernetes takes from ${NODE_PORTS.first}-${NODE_PORTS.last}; choose ports there, or leave it at 0 for the lab to choose`,
      });
      return;
    }
    const clash = ranges.slice(0, i).find((other) => range.first <= other.last && other.first <= range.last);
    if (clash) {
      problems.push({
        key: range.key,
        value: String(range.first),
        allowed: `overlaps ${clash.what} ${spanOf(clash)} (kafka-lab:${clash.key}); choose a port outside that range`,
      });
    }
  });
}

/**
 * Parses and validates the raw config. Returns a complete LabConfig with defaults filled in, or throws a
 * ConfigError listing every problem: each key's own, the rules of the lab and of every service, and the host
 * ports the topology publishes.
 */
export function parseLabConfig(raw: RawConfig, options: ParseOptions = {}): LabConfig {
  const { config, problems } = readLabConfig(raw, options);
  checkPorts(config, problems);
  if (problems.length > 0) throw configError(problems);
  return config;
}
