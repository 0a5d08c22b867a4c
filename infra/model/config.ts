// The lab's configuration: every key the program reads (the lab's own, and each service's, declared beside the
// service), and readLabConfig, the fold over them that collects every problem (checks.ts: parseLabConfig adds the
// rules that need the topology and refuses). Pure: the Pulumi layer hands us the raw strings it read from the stack's
// config; tests hand us the same strings directly.

import { ConfigError, defaultText, type ConfigProblem, type KeyDecl, type ReadFile } from "./keys/keys.js";
import { CONFIG_KEYS, CONFIG_KEY_NAMES, type LabConfig } from "./all-keys.js";
import { dockerRules } from "./keys/docker-keys.js";
import { targetRules } from "./keys/kubernetes-keys.js";
import { labRules } from "./keys/lab-keys.js";
import { SERVICES } from "./services/index.js";

export {
  CONFIG_NAMESPACE,
  ConfigError,
  type ConfigProblem,
  isValidHost,
  isValidImageReference,
  parseHeapMb,
} from "./keys/keys.js";
export { LAB_MODES, LAB_TARGETS, type LabMode, type LabTarget } from "./keys/lab-keys.js";
export { RESTART_POLICIES, type RestartPolicy } from "./keys/docker-keys.js";
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

/** The error that refuses these problems, secrets not shown. */
export function configError(problems: ConfigProblem[]): ConfigError {
  return new ConfigError(problems, isSecretKey);
}

const NO_FILES: ReadFile = () => undefined;

/**
 * Every key's value (its declared default when unset) and every problem of the keys and of the rules that involve
 * several of them (the lab's and each service's); checks.ts adds the rules that need the topology and refuses.
 * Unknown keys in the kafka-lab namespace are problems (they are almost always typos).
 */
export function readLabConfig(
  raw: RawConfig,
  { plaintextKeys = [], readFile = NO_FILES }: ParseOptions = {},
): { config: LabConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  checkKeys(raw, plaintextKeys, problems);
  const config = parseKeys(raw, readFile, problems);
  const fail = (key: string, value: string | undefined, allowed: string) => problems.push({ key, value, allowed });
  labRules(config, fail);
  if (config.target === "docker") dockerRules(config, fail);
  targetRules(config, fail);
  for (const service of SERVICES) service.rules?.(config, fail);
  return { config, problems };
}
