// Lab configuration: every knob, its default, and the checks that refuse a bad value before anything
// is created. Pure: no Pulumi or Docker imports. The Pulumi layer hands us the raw strings it read from
// the stack's config; tests hand us the same strings directly.

import { isIP } from "node:net";
import { parseConnectorSpecs, type ConnectorSpec } from "./connectors.js";
import { parseSchemaSpecs, type ReadFile, type SchemaSpec } from "./schemas.js";
import { parseTopicSpecs, type TopicSpec } from "./topics.js";

export const CONFIG_NAMESPACE = "kafka-lab";

export type RestartPolicy = "no" | "on-failure" | "always" | "unless-stopped";
export const RESTART_POLICIES: readonly RestartPolicy[] = ["no", "on-failure", "always", "unless-stopped"];

export type LabMode = "zookeeper" | "kraft";
export const LAB_MODES: readonly LabMode[] = ["zookeeper", "kraft"];

export type OutsideAuth = "none" | "scram-sha-256" | "scram-sha-512";
export const OUTSIDE_AUTHS: readonly OutsideAuth[] = ["none", "scram-sha-256", "scram-sha-512"];

export const MAX_BROKERS = 9;
export const ZOOKEEPER_NODE_COUNTS = [1, 3] as const;

export interface LabConfig {
  mode: LabMode;
  brokers: number;
  zookeeperNodes: number;
  /** Host name that the OUTSIDE listener advertises; clients on the host connect to it. */
  outsideHost: string;
  /** Host port of broker 1's OUTSIDE listener; broker i uses outsidePort + i - 1. */
  outsidePort: number;
  /** Host interface that every published port binds to. */
  bindAddress: string;
  publishZookeeper: boolean;
  /** Host port of ZooKeeper node 1 when published; node i uses zookeeperPort + i - 1. */
  zookeeperPort: number;
  /** Broker image of ZooKeeper mode (Kafka 3.x, cp-kafka contract). */
  kafkaImage: string;
  /** Broker image of KRaft mode (Kafka 4.x, apache/kafka contract). */
  kraftImage: string;
  zookeeperImage: string;
  /** JVM heap in MiB. */
  kafkaHeapMb: number;
  zookeeperHeapMb: number;
  topics: TopicSpec[];
  autoCreateTopics: boolean;
  waitTimeoutSeconds: number;
  restartPolicy: RestartPolicy;
  keepImages: boolean;
  /** A named volume per broker and ZooKeeper node, so data and committed offsets outlive the containers. */
  persistence: boolean;
  /** Keep those volumes when the lab is destroyed. */
  keepVolumes: boolean;
  /** SASL/SCRAM on the OUTSIDE listener; INSIDE stays PLAINTEXT for the lab's own containers. */
  outsideAuth: OutsideAuth;
  outsideUsername: string;
  /** Plain text in memory only: the Pulumi layer wraps it as a secret, the topology never puts it in an env var. */
  outsidePassword: string;
  /** A Kafka Connect worker (distributed mode) on the lab network, and the connectors it runs. */
  connect: boolean;
  connectImage: string;
  /** Host port of Connect's REST API. */
  connectPort: number;
  connectHeapMb: number;
  connectors: ConnectorSpec[];
  /** A schema registry (Confluent's REST API) on the lab network, and the schemas registered with it. */
  schemaRegistry: boolean;
  schemaRegistryImage: string;
  schemaRegistryPort: number;
  schemaRegistryHeapMb: number;
  schemas: SchemaSpec[];
}

type KeyType = "string" | "integer" | "boolean" | "array" | "object";

interface KeySpec {
  type: KeyType;
  /**
   * Must be set as a secret and is never shown in messages. Pulumi.yaml does not declare it: Pulumi refuses a
   * declared secret key that a stack leaves unset (with or without a default), and this one is optional.
   */
  secret?: boolean;
  /** Default as Pulumi.yaml declares it (arrays as arrays, maps as maps). */
  default: string | number | boolean | readonly string[] | readonly object[] | Readonly<Record<string, string>>;
  /** For arrays: the type of their items, as Pulumi.yaml declares it. */
  items?: KeyType;
  description: string;
}

export const DEFAULT_TOPICS = ["topic_test:1:1"];

/** How a user sets the SCRAM password: as a secret, in this machine's stack file (see lib/stack-files.ts). */
export const SET_PASSWORD =
  "npm run lab:secret -- outsidePassword (or pulumi config set --secret kafka-lab:outsidePassword)";

/** Every config key the program reads. Pulumi.yaml declares the same keys (a unit test keeps them equal). */
export const CONFIG_KEYS = {
  mode: {
    type: "string",
    default: "zookeeper",
    description: "Cluster coordination: zookeeper (Kafka 3.9 with ZooKeeper) or kraft (Kafka 4.x, no ZooKeeper).",
  },
  brokers: {
    type: "integer",
    default: 1,
    description: `Number of Kafka brokers, 1 to ${MAX_BROKERS}. Broker i is kafka-i:9093 inside the lab network.`,
  },
  zookeeperNodes: { type: "integer", default: 1, description: "ZooKeeper nodes: 1 or 3." },
  outsideHost: {
    type: "string",
    default: "localhost",
    description: "Host name the OUTSIDE listener advertises; host clients must be able to reach it.",
  },
  outsidePort: {
    type: "integer",
    default: 9092,
    description: "Host port of broker 1's OUTSIDE listener; broker i gets outsidePort + i - 1.",
  },
  bindAddress: {
    type: "string",
    default: "127.0.0.1",
    description: "Host IP address that published ports bind to. 0.0.0.0 exposes the lab to your network.",
  },
  publishZookeeper: {
    type: "boolean",
    default: false,
    description: "Publish ZooKeeper's client port on the host (off: only the lab's containers reach it).",
  },
  zookeeperPort: {
    type: "integer",
    default: 2181,
    description: "Host port of ZooKeeper node 1 when publishZookeeper is true; node i gets zookeeperPort + i - 1.",
  },
  kafkaImage: {
    type: "string",
    default: "confluentinc/cp-kafka:7.9.1",
    description: "Broker image in zookeeper mode; must honour the cp-kafka environment contract (see README).",
  },
  kraftImage: {
    type: "string",
    default: "apache/kafka:4.4.0",
    description: "Broker image in kraft mode; must honour the apache/kafka environment contract (see README).",
  },
  zookeeperImage: {
    type: "string",
    default: "confluentinc/cp-zookeeper:7.9.1",
    description: "ZooKeeper image; must honour the cp-zookeeper environment contract (see README).",
  },
  kafkaHeap: { type: "string", default: "256m", description: "JVM heap of each broker, such as 256m or 1g." },
  zookeeperHeap: { type: "string", default: "128m", description: "JVM heap of each ZooKeeper node, such as 128m." },
  topics: {
    type: "array",
    default: DEFAULT_TOPICS,
    description: "Topics as name:partitions:replicationFactor[:key=value,key=value].",
  },
  autoCreateTopics: {
    type: "boolean",
    default: false,
    description: "Let the brokers create topics on first use (off: only declared topics exist).",
  },
  waitTimeoutSeconds: {
    type: "integer",
    default: 180,
    description: "How long pulumi up waits for each container to become healthy.",
  },
  restartPolicy: {
    type: "string",
    default: "on-failure",
    description:
      "Docker restart policy: on-failure (a crashed node comes back), no, always or unless-stopped (both also after a Docker restart).",
  },
  keepImages: {
    type: "boolean",
    default: true,
    description: "Keep the images on the machine when the lab is destroyed.",
  },
  persistence: {
    type: "boolean",
    default: false,
    description:
      "Give each broker and ZooKeeper node a named volume, so data and committed offsets survive re-created containers.",
  },
  keepVolumes: {
    type: "boolean",
    default: false,
    description: "With persistence, keep the volumes when the lab is destroyed (off: destroy removes them).",
  },
  outsideAuth: {
    type: "string",
    default: "none",
    description:
      "Authentication on the OUTSIDE listener: none, scram-sha-256 or scram-sha-512 (INSIDE stays PLAINTEXT).",
  },
  outsideUsername: {
    type: "string",
    default: "lab",
    description: "SCRAM user that host clients log in as when outsideAuth is on.",
  },
  outsidePassword: {
    type: "string",
    default: "",
    secret: true,
    description: `SCRAM password, a secret: ${SET_PASSWORD}.`,
  },
  connect: {
    type: "boolean",
    default: false,
    description: "Run a Kafka Connect worker (distributed mode, JSON converters) on the lab network.",
  },
  connectImage: {
    type: "string",
    default: "confluentinc/cp-kafka-connect:7.9.1",
    description: "Kafka Connect image; must honour the cp-kafka-connect environment contract (see README).",
  },
  connectPort: { type: "integer", default: 8083, description: "Host port of Connect's REST API (on bindAddress)." },
  connectHeap: { type: "string", default: "256m", description: "JVM heap of the Connect worker, such as 256m." },
  connectors: {
    type: "array",
    items: "object",
    default: [],
    description:
      "Connectors as {name, class, config}: created on pulumi up, updated in place when their config changes, deleted when removed.",
  },
  schemaRegistry: {
    type: "boolean",
    default: false,
    description: "Run a schema registry (the Confluent Schema Registry REST API) on the lab network.",
  },
  schemaRegistryImage: {
    type: "string",
    default: "confluentinc/cp-schema-registry:7.9.1",
    description: "Schema registry image; must honour the cp-schema-registry environment contract (see README).",
  },
  schemaRegistryPort: {
    type: "integer",
    default: 8081,
    description: "Host port of the schema registry (on bindAddress).",
  },
  schemaRegistryHeap: {
    type: "string",
    default: "128m",
    description: "JVM heap of the schema registry, such as 128m.",
  },
  schemas: {
    type: "object",
    default: {},
    description:
      "Schemas as subject: file (.avsc Avro, .json JSON Schema, .proto Protobuf; paths from the project root), registered on pulumi up.",
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKey[];

export interface ConfigProblem {
  key: string;
  value: string | undefined;
  allowed: string;
}

/** Thrown when the configuration is refused. Lists every problem at once, each with the key and what is allowed. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

function isSecretKey(key: string): boolean {
  return (CONFIG_KEYS as Record<string, KeySpec>)[key]?.secret === true;
}

function formatProblems(problems: ConfigProblem[]): string {
  const lines = problems.map((p) => {
    const shown = p.value === undefined ? "(missing)" : isSecretKey(p.key) ? "[secret]" : JSON.stringify(p.value);
    return `  - ${CONFIG_NAMESPACE}:${p.key} = ${shown}: ${p.allowed}`;
  });
  const noun = problems.length === 1 ? "problem" : "problems";
  return (
    `kafka-lab config has ${problems.length} ${noun}; nothing was created:\n${lines.join("\n")}\n` +
    `Change a value with: pulumi config set ${CONFIG_NAMESPACE}:<key> <value>`
  );
}

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

class Reader {
  readonly problems: ConfigProblem[] = [];
  constructor(private readonly raw: RawConfig) {}

  private value(key: ConfigKey): string | undefined {
    const v = this.raw[key];
    return v === undefined || v === "" ? undefined : v;
  }

  fail(key: string, value: string | undefined, allowed: string): void {
    this.problems.push({ key, value, allowed });
  }

  string(key: ConfigKey): string {
    return this.value(key) ?? String(CONFIG_KEYS[key].default);
  }

  integer(key: ConfigKey, min: number, max: number): number {
    const text = this.value(key);
    const fallback = CONFIG_KEYS[key].default as number;
    if (text === undefined) return fallback;
    if (!/^-?\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
      this.fail(key, text, `must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(text);
  }

  boolean(key: ConfigKey): boolean {
    const text = this.value(key);
    if (text === undefined) return CONFIG_KEYS[key].default as boolean;
    if (text === "true" || text === "false") return text === "true";
    this.fail(key, text, "must be true or false");
    return CONFIG_KEYS[key].default as boolean;
  }

  oneOf<T extends string>(key: ConfigKey, allowed: readonly T[]): T {
    const text = this.string(key);
    if ((allowed as readonly string[]).includes(text)) return text as T;
    this.fail(key, text, `must be one of: ${allowed.join(", ")}`);
    return CONFIG_KEYS[key].default as T;
  }

  /** A list or a map that Pulumi hands over as JSON text; `example` goes into the message when it is neither. */
  json<T extends "array" | "object">(
    key: ConfigKey,
    shape: T,
    example: string,
  ): T extends "array" ? unknown[] : Record<string, unknown> {
    type Result = T extends "array" ? unknown[] : Record<string, unknown>;
    const text = this.value(key);
    const fallback = (shape === "array" ? [] : {}) as Result;
    if (text === undefined) return fallback;
    const parsed = parseJson(text);
    const fits =
      shape === "array"
        ? Array.isArray(parsed)
        : typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
    if (!fits) {
      this.fail(key, text, `must be a ${shape === "array" ? "list" : "map"}, e.g. ${example}`);
      return fallback;
    }
    return parsed as Result;
  }

  stringArray(key: ConfigKey): string[] {
    const text = this.value(key);
    if (text === undefined) return [...(CONFIG_KEYS[key].default as readonly string[])];
    const parsed = parseJson(text);
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
      this.fail(key, text, 'must be a list of strings, e.g. ["topic_test:1:1"]');
      return [];
    }
    return parsed;
  }
}

/** The value of JSON text, or undefined when the text is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export function isValidHost(host: string): boolean {
  return isIP(host) !== 0 || HOSTNAME.test(host);
}

// Docker reference grammar (distribution/reference), simplified: [registry[:port]/]path[:tag][@digest].
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export function isValidImageReference(image: string): boolean {
  return image.length <= 255 && IMAGE_REFERENCE.test(image);
}

/** "256m" or "1g" to MiB; undefined when malformed. */
export function parseHeapMb(text: string): number | undefined {
  const m = /^(\d+)([mMgG])$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2]!.toLowerCase() === "g" ? 1024 : 1);
  return n > 0 ? n : undefined;
}

const MIN_HEAP_MB = 64;
const MAX_HEAP_MB = 16384;

function heap(reader: Reader, key: "kafkaHeap" | "zookeeperHeap" | "connectHeap" | "schemaRegistryHeap"): number {
  const text = reader.string(key);
  const mb = parseHeapMb(text);
  if (mb === undefined || mb < MIN_HEAP_MB || mb > MAX_HEAP_MB) {
    reader.fail(key, text, `must be a size in m or g from ${MIN_HEAP_MB}m to 16g, such as 256m or 1g`);
    return parseHeapMb(String(CONFIG_KEYS[key].default))!;
  }
  return mb;
}

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;
// kafka-configs reads SCRAM credentials as [password=...,iterations=...]: no ',' '[' ']', and nothing a shell or
// a JAAS line would treat specially (quotes, '$', '`', '\\', whitespace).
const PASSWORD = /^[A-Za-z0-9!#%&()*+./:;<=>?@^_{|}~-]{8,128}$/;

function username(reader: Reader): string {
  const text = reader.string("outsideUsername");
  if (!USERNAME.test(text)) reader.fail("outsideUsername", text, "must be 1 to 64 letters, digits, '.', '_' or '-'");
  return text;
}

function password(reader: Reader): string {
  const text = reader.string("outsidePassword");
  if (text !== "" && !PASSWORD.test(text)) {
    reader.fail(
      "outsidePassword",
      text,
      "must be 8 to 128 characters without spaces, quotes, '$', '`', '\\', ',', '[' or ']'",
    );
  }
  return text;
}

interface PortRange {
  key: ConfigKey;
  first: number;
  last: number;
  what: string;
}

/** Every host port range the lab publishes, in the order their keys are checked. */
function publishedRanges(config: LabConfig): PortRange[] {
  const ranges: PortRange[] = [
    {
      key: "outsidePort",
      first: config.outsidePort,
      last: config.outsidePort + config.brokers - 1,
      what: "the brokers' OUTSIDE ports",
    },
  ];
  if (config.publishZookeeper) {
    ranges.push({
      key: "zookeeperPort",
      first: config.zookeeperPort,
      last: config.zookeeperPort + config.zookeeperNodes - 1,
      what: "ZooKeeper's ports",
    });
  }
  if (config.connect)
    ranges.push({
      key: "connectPort",
      first: config.connectPort,
      last: config.connectPort,
      what: "Connect's REST port",
    });
  if (config.schemaRegistry) {
    ranges.push({
      key: "schemaRegistryPort",
      first: config.schemaRegistryPort,
      last: config.schemaRegistryPort,
      what: "the schema registry's port",
    });
  }
  return ranges;
}

/** Host ports past 65535, and ranges that overlap an earlier one (named by its key). */
function checkPorts(reader: Reader, config: LabConfig): void {
  const ranges = publishedRanges(config);
  ranges.forEach((range, i) => {
    const span = range.first === range.last ? `${range.first}` : `${range.first}-${range.last}`;
    if (range.last > 65535) {
      reader.fail(
        range.key,
        String(range.first),
        `${range.what} ${span} run past 65535; choose at most ${65535 - (range.last - range.first)}`,
      );
      return;
    }
    const clash = ranges.slice(0, i).find((other) => range.first <= other.last && other.first <= range.last);
    if (clash) {
      const other = clash.first === clash.last ? `${clash.first}` : `${clash.first}-${clash.last}`;
      reader.fail(
        range.key,
        String(range.first),
        `overlaps ${clash.what} ${other} (${CONFIG_NAMESPACE}:${clash.key}); choose a port outside that range`,
      );
    }
  });
}

/**
 * Settings that contradict the mode. Pulumi hands the program every declared default, so a setting counts as
 * given when it differs from its default.
 */
function checkModeCombinations(reader: Reader, config: LabConfig): void {
  const differs = (key: ConfigKey, value: unknown) => value !== CONFIG_KEYS[key].default;
  if (config.mode === "kraft") {
    if (differs("zookeeperNodes", config.zookeeperNodes)) {
      reader.fail(
        "zookeeperNodes",
        String(config.zookeeperNodes),
        "must stay 1 (unset) in kraft mode: KRaft runs no ZooKeeper; set mode to zookeeper for an ensemble",
      );
    }
    if (config.publishZookeeper) {
      reader.fail("publishZookeeper", "true", "must be false in kraft mode: there is no ZooKeeper to publish");
    }
    if (differs("kafkaImage", config.kafkaImage)) {
      reader.fail(
        "kafkaImage",
        config.kafkaImage,
        "is the zookeeper-mode broker image; in kraft mode set kraftImage instead",
      );
    }
  } else if (differs("kraftImage", config.kraftImage)) {
    reader.fail(
      "kraftImage",
      config.kraftImage,
      "is the kraft-mode broker image; in zookeeper mode set kafkaImage, or set mode to kraft",
    );
  }
  if (config.outsideAuth !== "none" && config.outsidePassword === "") {
    reader.fail("outsidePassword", undefined, `is required when outsideAuth is ${config.outsideAuth}: ${SET_PASSWORD}`);
  }
  if (config.keepVolumes && !config.persistence) {
    reader.fail("keepVolumes", "true", "needs persistence: true (without persistence there are no volumes to keep)");
  }
  if (config.connectors.length > 0 && !config.connect) {
    reader.fail(
      "connectors",
      config.connectors.map((c) => c.name).join(", "),
      "need connect: true (a Connect worker to run them)",
    );
  }
  if (config.schemas.length > 0 && !config.schemaRegistry) {
    reader.fail(
      "schemas",
      config.schemas.map((s) => s.subject).join(", "),
      "need schemaRegistry: true (a registry to hold them)",
    );
  }
}

/** Refuses unknown keys (almost always typos) and secrets that the stack holds in plain text. */
function checkKeys(reader: Reader, raw: RawConfig, plaintextKeys: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!(key in CONFIG_KEYS)) {
      reader.fail(key, raw[key], `is not a kafka-lab setting; known keys: ${CONFIG_KEY_NAMES.join(", ")}`);
    } else if (isSecretKey(key) && plaintextKeys.includes(key) && raw[key]) {
      reader.fail(
        key,
        raw[key],
        `is stored in plain text; remove it from the stack file and set it as a secret: ${SET_PASSWORD}`,
      );
    }
  }
}

function image(
  reader: Reader,
  key: "kafkaImage" | "kraftImage" | "zookeeperImage" | "connectImage" | "schemaRegistryImage",
): string {
  const text = reader.string(key);
  if (!isValidImageReference(text)) {
    reader.fail(
      key,
      text,
      "must be a Docker image reference such as confluentinc/cp-kafka:7.9.1 (lower-case repository, optional :tag)",
    );
  }
  return text;
}

function hostSettings(reader: Reader): Pick<LabConfig, "outsideHost" | "bindAddress"> {
  const outsideHost = reader.string("outsideHost");
  if (!isValidHost(outsideHost)) {
    reader.fail("outsideHost", outsideHost, "must be a host name (letters, digits, dots, hyphens) or an IP address");
  }
  const bindAddress = reader.string("bindAddress");
  if (isIP(bindAddress) === 0) {
    reader.fail(
      "bindAddress",
      bindAddress,
      "must be an IP address such as 127.0.0.1 (0.0.0.0 exposes the lab to your network)",
    );
  }
  return { outsideHost, bindAddress };
}

/** The brokers, ZooKeeper and the lab around them. */
function kafkaSettings(reader: Reader): Omit<LabConfig, keyof ReturnType<typeof ecosystemSettings>> {
  const zookeeperNodes = reader.integer("zookeeperNodes", 1, 3);
  if (!(ZOOKEEPER_NODE_COUNTS as readonly number[]).includes(zookeeperNodes)) {
    reader.fail("zookeeperNodes", String(zookeeperNodes), "must be 1 or 3 (an ensemble of 2 survives no failure)");
  }
  const brokers = reader.integer("brokers", 1, MAX_BROKERS);
  const mode = reader.oneOf("mode", LAB_MODES);
  const topics = parseTopicSpecs(reader.stringArray("topics"), brokers, mode === "kraft" ? "4.x" : "3.9");
  for (const problem of topics.problems) reader.fail("topics", problem.value, problem.allowed);
  return {
    mode,
    brokers,
    zookeeperNodes,
    ...hostSettings(reader),
    outsidePort: reader.integer("outsidePort", 1, 65535),
    publishZookeeper: reader.boolean("publishZookeeper"),
    zookeeperPort: reader.integer("zookeeperPort", 1, 65535),
    kafkaImage: image(reader, "kafkaImage"),
    kraftImage: image(reader, "kraftImage"),
    zookeeperImage: image(reader, "zookeeperImage"),
    kafkaHeapMb: heap(reader, "kafkaHeap"),
    zookeeperHeapMb: heap(reader, "zookeeperHeap"),
    topics: topics.topics,
    autoCreateTopics: reader.boolean("autoCreateTopics"),
    waitTimeoutSeconds: reader.integer("waitTimeoutSeconds", 10, 3600),
    restartPolicy: reader.oneOf("restartPolicy", RESTART_POLICIES),
    keepImages: reader.boolean("keepImages"),
    persistence: reader.boolean("persistence"),
    keepVolumes: reader.boolean("keepVolumes"),
    outsideAuth: reader.oneOf("outsideAuth", OUTSIDE_AUTHS),
    outsideUsername: username(reader),
    outsidePassword: password(reader),
  };
}

/** Kafka Connect and its connectors, the schema registry and its schemas. */
function ecosystemSettings(reader: Reader, readFile: ReadFile) {
  const connectors = parseConnectorSpecs(
    reader.json("connectors", "array", '[{"name": "file-source", "class": "FileStreamSource", "config": {}}]'),
  );
  for (const problem of connectors.problems) reader.fail("connectors", problem.value, problem.allowed);
  const schemas = parseSchemaSpecs(
    reader.json("schemas", "object", '{"orders-value": "schemas/order.avsc"}'),
    readFile,
  );
  for (const problem of schemas.problems) reader.fail("schemas", problem.value, problem.allowed);
  return {
    connect: reader.boolean("connect"),
    connectImage: image(reader, "connectImage"),
    connectPort: reader.integer("connectPort", 1, 65535),
    connectHeapMb: heap(reader, "connectHeap"),
    connectors: connectors.connectors,
    schemaRegistry: reader.boolean("schemaRegistry"),
    schemaRegistryImage: image(reader, "schemaRegistryImage"),
    schemaRegistryPort: reader.integer("schemaRegistryPort", 1, 65535),
    schemaRegistryHeapMb: heap(reader, "schemaRegistryHeap"),
    schemas: schemas.schemas,
  };
}

const NO_FILES: ReadFile = () => undefined;

/**
 * Parses and validates the raw config. Returns a complete LabConfig with defaults filled in, or throws a
 * ConfigError listing every problem. Unknown keys in the kafka-lab namespace are refused (they are
 * almost always typos).
 */
export function parseLabConfig(
  raw: RawConfig,
  { plaintextKeys = [], readFile = NO_FILES }: ParseOptions = {},
): LabConfig {
  const reader = new Reader(raw);
  checkKeys(reader, raw, plaintextKeys);
  const config: LabConfig = { ...kafkaSettings(reader), ...ecosystemSettings(reader, readFile) };
  checkPorts(reader, config);
  checkModeCombinations(reader, config);
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}
