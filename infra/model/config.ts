// The lab's configuration: every key the program reads (the lab's own, and each service's, declared beside the
// service), and parseLabConfig, the fold over them that names every problem before anything is created. Pure: the
// Pulumi layer hands us the raw strings it read from the stack's config; tests hand us the same strings directly.

import { ConfigError, defaultText, type ConfigProblem, type KeyDecl, type ReadFile } from "./keys/keys.js";
import { CONFIG_KEYS, CONFIG_KEY_NAMES, type ConfigKey, type LabConfig } from "./all-keys.js";
import { labRules } from "./keys/lab-keys.js";
import { SERVICES } from "./services/index.js";
import { buildTopology } from "./topology.js";

export {
  CONFIG_NAMESPACE,
  ConfigError,
  type ConfigProblem,
  isValidHost,
  isValidImageReference,
  parseHeapMb,
} from "./keys/keys.js";
export { LAB_MODES, RESTART_POLICIES, type LabMode, type RestartPolicy } from "./keys/lab-keys.js";
export { MAX_BROKERS, OUTSIDE_AUTHS, DEFAULT_TOPICS, SET_PASSWORD, type OutsideAuth } from "./services/broker.js";
export { ZOOKEEPER_NODE_COUNTS } from "./services/zookeeper.js";

export { CONFIG_KEYS, CONFIG_KEY_NAMES, type AllKeys, type ConfigKey, type LabConfig } from "./all-keys.js";

/** Raw config as Pulumi hands it over: key (without namespace) to string; arrays as JSON text. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

export interface ParseOptions {
  /**
   * Keys whose value the stack holds in plain text (Pulumi tells the program which are secrets). A secret key
   * among them is refused: its value would sit unencrypted in the stack file and in the state.
   */
  plaintextKeys?: readonly string[];
  /** Reads a schema file declared in `schemas` (paths relative to the project root); without it none can be read. */
  readFile?: ReadFile;
}

function declOf(key: string): KeyDecl<unknown> | undefined {
  return (CONFIG_KEYS as Record<string, KeyDecl<unknown>>)[key];
}

function isSecretKey(key: string): boolean {
  return declOf(key)?.secret === true;
}

/** Refuses unknown keys (almost always typos) and secrets that the stack holds in plain text. */
function checkKeys(raw: RawConfig, plaintextKeys: readonly string[], problems: ConfigProblem[]): void {
  for (const key of Object.keys(raw)) {
    if (!declOf(key)) {
      problems.push({
        key,
        value: raw[key],
        allowed: `is not a kafka-lab setting; known keys: ${CONFIG_KEY_NAMES.join(", ")}`,
      });
    } else if (isSecretKey(key) && plaintextKeys.includes(key) && raw[key]) {
      problems.push({
        key,
        value: raw[key],
        allowed: `is stored in plain text; remove it from the stack file and set it as a secret: ${declOf(key)!.howToSet}`,
      });
    }
  }
}

/** Every key's value from its parser; an unset key (or an empty one) gets its declared default. */
function parseKeys(raw: RawConfig, readFile: ReadFile, problems: ConfigProblem[]): LabConfig {
  const values: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(CONFIG_KEYS as Record<string, KeyDecl<unknown>>)) {
    const given = raw[key];
    const text = given === undefined || given === "" ? defaultText(decl) : given;
    const fail = (
      allowed: string,
      value: string | undefined = given === undefined || given === "" ? undefined : text,
    ) => problems.push({ key, value, allowed });
    values[key] = decl.parse(text, { fail, readFile });
  }
  return values as LabConfig;
}

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
    const range = ranges.get(port.key);
    if (!range) ranges.set(port.key, { key: port.key, what: port.what, first: port.external, last: port.external });
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

/** The error that refuses these problems, secrets not shown. */
export function configError(problems: ConfigProblem[]): ConfigError {
  return new ConfigError(problems, isSecretKey);
}

const NO_FILES: ReadFile = () => undefined;

/**
 * Parses and validates the raw config. Returns a complete LabConfig with defaults filled in, or throws a
 * ConfigError listing every problem: each key's own, the rules of the lab and of every service, and the host
 * ports the topology publishes. Unknown keys in the kafka-lab namespace are refused (they are almost always typos).
 */
export function parseLabConfig(
  raw: RawConfig,
  { plaintextKeys = [], readFile = NO_FILES }: ParseOptions = {},
): LabConfig {
  const problems: ConfigProblem[] = [];
  checkKeys(raw, plaintextKeys, problems);
  const config = parseKeys(raw, readFile, problems);
  const fail = (key: string, value: string | undefined, allowed: string) => problems.push({ key, value, allowed });
  labRules(config, fail);
  for (const service of SERVICES) service.rules?.(config, fail);
  checkPorts(config, problems);
  if (problems.length > 0) throw configError(problems);
  return config;
}
