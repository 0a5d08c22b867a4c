// Flag parsing and validation for the smoke-test scripts. Pure: the scripts hand in the parsed
// argv (zx's minimist with every value flag declared as a string) and the environment.

import { UsageError } from "./errors.js";

export const MAX_COUNT = 10_000_000;
export const DEFAULT_TOPIC = "topic_test";
export const DEFAULT_COUNT = 100;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_STACK = "dev";
/** Bounds of --message-bytes: room for the JSON fields below, and under Kafka's default 1 MB record limit. */
export const MIN_MESSAGE_BYTES = 100;
export const MAX_MESSAGE_BYTES = 1_000_000;
export const LISTENERS = ["OUTSIDE", "INSIDE"] as const;
export type Listener = (typeof LISTENERS)[number];

/** Flags shared by round-trip.ts and passed through by inside.ts. */
export const ROUND_TRIP_STRINGS = [
  "bootstrap",
  "stack",
  "listener",
  "topic",
  "consume-topic",
  "count",
  "group",
  "timeout-ms",
  "message-bytes",
  "sasl-mechanism",
  "username",
] as const;
export const ROUND_TRIP_BOOLEANS = ["json", "verbose", "help"] as const;
export const INSIDE_STRINGS = [
  "network",
  "namespace",
  "kubeconfig",
  "kube-context",
  "internal-bootstrap",
  "client-image",
  "lab",
  "stack",
  "topic",
  "consume-topic",
  "count",
  "group",
  "timeout-ms",
  "connect-url",
  "registry-url",
] as const;
export const INSIDE_BOOLEANS = ["json", "verbose", "help", "services"] as const;

export type ParsedArgs = Record<string, unknown> & { _?: unknown[] };

export interface RoundTripOptions {
  /** From --bootstrap or KAFKA_LAB_BOOTSTRAP; undefined means "ask pulumi". */
  bootstrap?: string[];
  stack: string;
  listener: Listener;
  topic: string;
  /**
   * Where the records are read back: --topic itself, or a topic that something in the lab copies --topic to (a
   * Kafka Connect pipeline); then every record of the run must arrive there.
   */
  consumeTopic: string;
  count: number;
  group: string;
  /** True when the group was generated for this run (and should be printed). */
  freshGroup: boolean;
  timeoutMs: number;
  /** Size of every message value in bytes (padded with a filler field); undefined: unpadded JSON. */
  messageBytes?: number;
  /** SASL login for an authenticating OUTSIDE listener; undefined: none, or ask pulumi (no --bootstrap). */
  sasl?: SaslLogin;
  json: boolean;
  verbose: boolean;
  help: boolean;
}

export const SASL_MECHANISMS = ["scram-sha-256", "scram-sha-512"] as const;
export interface SaslLogin {
  mechanism: (typeof SASL_MECHANISMS)[number];
  username: string;
  /** From KAFKA_LAB_PASSWORD only: never a flag, so it stays out of shell history and process lists. */
  password: string;
}

/**
 * The SASL login from --sasl-mechanism/KAFKA_LAB_SASL_MECHANISM, --username/KAFKA_LAB_USERNAME (default lab)
 * and KAFKA_LAB_PASSWORD; undefined when no mechanism is given or it is "none".
 */
export function parseSaslLogin(args: ParsedArgs, env: NodeJS.ProcessEnv): SaslLogin | undefined {
  const mechanism = (stringFlag(args, "sasl-mechanism") ?? envValue(env, "KAFKA_LAB_SASL_MECHANISM"))?.toLowerCase();
  if (mechanism === undefined || mechanism === "none") return undefined;
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new UsageError(`--sasl-mechanism must be none, ${SASL_MECHANISMS.join(" or ")}, got "${mechanism}"`);
  }
  const password = env.KAFKA_LAB_PASSWORD;
  if (!password) {
    throw new UsageError(
      `${mechanism} needs a password: set KAFKA_LAB_PASSWORD (there is no password flag, so it stays out of shell history)`,
    );
  }
  const username = stringFlag(args, "username") ?? envValue(env, "KAFKA_LAB_USERNAME") ?? "lab";
  return { mechanism: mechanism as SaslLogin["mechanism"], username, password };
}

export interface InsideOptions {
  /** The lab's Docker network (docker target). */
  network?: string;
  /** The lab's namespace, and the kubeconfig and context that reach its cluster (kubernetes target). */
  namespace?: string;
  kubeconfig?: string;
  kubeContext?: string;
  internalBootstrap?: string[];
  clientImage: string;
  lab?: string;
  stack: string;
  /** Flags for round-trip.ts inside the container, already validated. */
  passThrough: string[];
  /** Run services.ts (Kafka Connect, the schema registry) instead of the round trip. */
  services: boolean;
  /** The services' URLs on the lab network (else the stack's internal URL outputs). */
  connectUrl?: string;
  registryUrl?: string;
  json: boolean;
  help: boolean;
}

export const DEFAULT_CLIENT_IMAGE = "node:22-bookworm-slim";

/** Rejects positional arguments, unknown flags and flags given twice. */
export function checkFlags(args: ParsedArgs, known: readonly string[]): void {
  const positional = (args._ ?? []).filter((a) => a !== "");
  if (positional.length > 0) throw new UsageError(`unexpected argument ${String(positional[0])}`);
  for (const [key, value] of Object.entries(args)) {
    if (key === "_" || key === "--") continue;
    if (!known.includes(key))
      throw new UsageError(`unknown flag --${key} (known: ${known.map((k) => `--${k}`).join(" ")})`);
    if (Array.isArray(value)) throw new UsageError(`--${key} given more than once`);
  }
}

/** A string flag's value: undefined when absent; an error when given without a value. */
export function stringFlag(args: ParsedArgs, key: string): string | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw new UsageError(`--${key} needs a value`);
  return v.trim();
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** "host:port[,host:port]" → list, each checked. */
export function parseBootstrap(value: string, source: string): string[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (list.length === 0) throw new UsageError(`${source} is empty: expected host:port[,host:port]`);
  for (const address of list) {
    const m = /^([A-Za-z0-9._-]+):(\d{1,5})$/.exec(address);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65_535) {
      throw new UsageError(`${source}: "${address}" is not host:port (a host name or IPv4 address and a port 1-65535)`);
    }
  }
  return list;
}

/** A positive integer not above `max`, from a decimal string. */
export function parsePositiveInt(value: string, flag: string, max: number): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
  const n = Number(value);
  if (n < 1 || n > max)
    throw new UsageError(`${flag} must be between 1 and ${max.toLocaleString("en-US")}, got ${value}`);
  return n;
}

export function parseMessageBytes(value: string): number {
  const n = parsePositiveInt(value, "--message-bytes", MAX_MESSAGE_BYTES);
  if (n < MIN_MESSAGE_BYTES)
    throw new UsageError(
      `--message-bytes must be at least ${MIN_MESSAGE_BYTES} (room for counter, sentAt and run), got ${value}`,
    );
  return n;
}

const fillers = new Map<number, string>();

/**
 * A JSON object text padded to exactly `bytes` bytes (UTF-8) with a filler field "pad": "xxx…" added as
 * its last member; readers ignore the field. Throws a UsageError when the object alone is already too long.
 */
export function padJson(json: string, bytes: number): string {
  if (!/^\{.*\}$/s.test(json)) throw new TypeError(`padJson needs a JSON object, got ${json.slice(0, 40)}`);
  const head = json === "{}" ? "{" : `${json.slice(0, -1)},`;
  const fill = bytes - Buffer.byteLength(head) - Buffer.byteLength(`"pad":""}`);
  if (fill < 0) {
    throw new UsageError(
      `--message-bytes ${bytes} is too small for the message ${json} (${Buffer.byteLength(json)} bytes before padding)`,
    );
  }
  let filler = fillers.get(fill);
  if (filler === undefined) fillers.set(fill, (filler = "x".repeat(fill)));
  return `${head}"pad":"${filler}"}`;
}

/** Kafka's own rule for topic names. */
export function parseTopic(value: string, flag = "--topic"): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(value) || value === "." || value === "..") {
    throw new UsageError(`${flag} "${value}" is not a valid Kafka topic name (letters, digits, '.', '_', '-')`);
  }
  return value;
}

export function parseListener(value: string | undefined): Listener {
  const upper = (value ?? "OUTSIDE").toUpperCase();
  const found = LISTENERS.find((l) => l === upper);
  if (!found) throw new UsageError(`--listener must be OUTSIDE or INSIDE, got "${value}"`);
  return found;
}

export function parseStack(args: ParsedArgs, env: NodeJS.ProcessEnv): string {
  const stack = stringFlag(args, "stack") ?? envValue(env, "KAFKA_LAB_STACK") ?? DEFAULT_STACK;
  if (!/^[A-Za-z0-9_.\-/]+$/.test(stack))
    throw new UsageError(`stack name "${stack}" has characters pulumi does not allow`);
  return stack;
}

/** A consumer group no earlier run has used: my-group-id-<timestamp>-<random>. */
export function freshGroupId(nowMs: number, random: () => number): string {
  const suffix = Math.floor(random() * 36 ** 6)
    .toString(36)
    .padStart(6, "0");
  return `my-group-id-${nowMs}-${suffix}`;
}

export function parseRoundTripOptions(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
  now: () => number = Date.now,
  random: () => number = Math.random,
): RoundTripOptions {
  checkFlags(args, [...ROUND_TRIP_STRINGS, ...ROUND_TRIP_BOOLEANS]);
  const flagBootstrap = stringFlag(args, "bootstrap");
  const envBootstrap = envValue(env, "KAFKA_LAB_BOOTSTRAP");
  const bootstrap = flagBootstrap
    ? parseBootstrap(flagBootstrap, "--bootstrap")
    : envBootstrap
      ? parseBootstrap(envBootstrap, "KAFKA_LAB_BOOTSTRAP")
      : undefined;
  const group = stringFlag(args, "group");
  const count = stringFlag(args, "count");
  const timeout = stringFlag(args, "timeout-ms");
  const messageBytes = stringFlag(args, "message-bytes");
  const topic = parseTopic(stringFlag(args, "topic") ?? DEFAULT_TOPIC);
  const consumeTopic = stringFlag(args, "consume-topic");
  return {
    ...(bootstrap ? { bootstrap } : {}),
    stack: parseStack(args, env),
    listener: parseListener(stringFlag(args, "listener")),
    topic,
    consumeTopic: consumeTopic === undefined ? topic : parseTopic(consumeTopic, "--consume-topic"),
    count: count === undefined ? DEFAULT_COUNT : parsePositiveInt(count, "--count", MAX_COUNT),
    group: group ?? freshGroupId(now(), random),
    freshGroup: group === undefined,
    timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : parsePositiveInt(timeout, "--timeout-ms", 24 * 3_600_000),
    ...(messageBytes === undefined ? {} : { messageBytes: parseMessageBytes(messageBytes) }),
    ...withSasl(parseSaslLogin(args, env)),
    json: args.json === true,
    verbose: args.verbose === true,
    help: args.help === true,
  };
}

function withSasl(sasl: SaslLogin | undefined): { sasl?: SaslLogin } {
  return sasl ? { sasl } : {};
}

/** Docker network names: what `docker network create` accepts. */
function parseNetwork(value: string, source: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value))
    throw new UsageError(`${source}: "${value}" is not a Docker network name`);
  return value;
}

/** An http(s)://host:port[/base/path] flag (Apicurio serves the registry API under a path), under its option name. */
export function urlFlag<K extends string>(args: ParsedArgs, flag: string, key: K): Partial<Record<K, string>> {
  const value = stringFlag(args, flag);
  if (value === undefined) return {};
  if (!/^https?:\/\/[^/\s]+(\/[^\s?#]*[^\s?#/])?$/.test(value))
    throw new UsageError(`--${flag} must look like http://host:port or http://host:port/base/path, got "${value}"`);
  return { [key]: value } as Partial<Record<K, string>>;
}

export function parseInsideOptions(args: ParsedArgs, env: NodeJS.ProcessEnv): InsideOptions {
  checkFlags(args, [...INSIDE_STRINGS, ...INSIDE_BOOLEANS]);
  const networkFlag = stringFlag(args, "network");
  const network = networkFlag ?? envValue(env, "KAFKA_LAB_NETWORK");
  const internalFlag = stringFlag(args, "internal-bootstrap");
  const internal = internalFlag ?? envValue(env, "KAFKA_LAB_INTERNAL_BOOTSTRAP");
  const namespace = stringFlag(args, "namespace") ?? envValue(env, "KAFKA_LAB_NAMESPACE");
  if (network && namespace)
    throw new UsageError("--network (a lab on Docker) and --namespace (a lab on Kubernetes) do not go together");
  if (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
    throw new UsageError(`--namespace "${namespace}" is not a Kubernetes namespace name`);
  const kubeconfig = stringFlag(args, "kubeconfig");
  const kubeContext = stringFlag(args, "kube-context");
  const lab = stringFlag(args, "lab") ?? envValue(env, "KAFKA_LAB_NAME");
  if (lab !== undefined && !/^[A-Za-z0-9_.-]+$/.test(lab))
    throw new UsageError(`lab name "${lab}" may use only letters, digits, '_', '.' and '-'`);
  const passThrough: string[] = [];
  const topic = stringFlag(args, "topic");
  if (topic !== undefined) passThrough.push("--topic", parseTopic(topic));
  const consumeTopic = stringFlag(args, "consume-topic");
  if (consumeTopic !== undefined) passThrough.push("--consume-topic", parseTopic(consumeTopic, "--consume-topic"));
  const count = stringFlag(args, "count");
  if (count !== undefined) passThrough.push("--count", String(parsePositiveInt(count, "--count", MAX_COUNT)));
  const timeout = stringFlag(args, "timeout-ms");
  if (timeout !== undefined)
    passThrough.push("--timeout-ms", String(parsePositiveInt(timeout, "--timeout-ms", 24 * 3_600_000)));
  const group = stringFlag(args, "group");
  if (group !== undefined) passThrough.push("--group", group);
  if (args.json === true) passThrough.push("--json");
  if (args.verbose === true) passThrough.push("--verbose");
  return {
    ...(network ? { network: parseNetwork(network, networkFlag ? "--network" : "KAFKA_LAB_NETWORK") } : {}),
    ...(namespace ? { namespace } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(kubeContext ? { kubeContext } : {}),
    ...(internal
      ? {
          internalBootstrap: parseBootstrap(
            internal,
            internalFlag ? "--internal-bootstrap" : "KAFKA_LAB_INTERNAL_BOOTSTRAP",
          ),
        }
      : {}),
    clientImage: stringFlag(args, "client-image") ?? envValue(env, "KAFKA_LAB_CLIENT_IMAGE") ?? DEFAULT_CLIENT_IMAGE,
    ...(lab ? { lab } : {}),
    stack: parseStack(args, env),
    passThrough,
    services: args.services === true,
    ...urlFlag(args, "connect-url", "connectUrl"),
    ...urlFlag(args, "registry-url", "registryUrl"),
    json: args.json === true,
    help: args.help === true,
  };
}
