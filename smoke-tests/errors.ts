// Turns whatever kafkajs (or the smoke test itself) threw into one message a user can act on,
// plus the exit code. Pure: no kafkajs import, so it is unit-tested with plain objects.
//
// What kafkajs 2.2.4 throws (node_modules/kafkajs/src/errors.js, network/connection.js):
// - KafkaJSConnectionError { broker: "host:port", code?: "ECONNREFUSED" | "ENOTFOUND" | ... },
//   messages "Connection error: connect ECONNREFUSED 127.0.0.1:9092", "Connection timeout",
//   "Connection closed by the server", "Failed to connect: ...".
// - KafkaJSConnectionClosedError { broker, host, port }.
// - KafkaJSRequestTimeoutError { broker, correlationId, ... } "Request Metadata(key: 3, version: 6) timed out".
// - KafkaJSProtocolError { type: "UNKNOWN_TOPIC_OR_PARTITION" | ..., code: number }.
// - Retriers wrap the last error: KafkaJSNumberOfRetriesExceeded / KafkaJSNonRetriableError with
//   `.cause` = the original (its `broker` is not copied), so we walk the cause chain.

export const EXIT = {
  ok: 0,
  verifyFailed: 1,
  usage: 2,
  unreachable: 3,
  authentication: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad flags, environment or configuration: exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The topic is not on the cluster (checked with the admin client before producing). */
export class TopicMissingError extends Error {
  override name = "TopicMissingError";
  constructor(
    readonly topic: string,
    readonly existing: readonly string[],
  ) {
    super(`topic ${topic} does not exist`);
  }
}

/** A phase of the smoke test did not finish within its deadline. */
export class PhaseTimeoutError extends Error {
  override name = "PhaseTimeoutError";
  constructor(
    readonly phase: string,
    readonly ms: number,
  ) {
    super(`${phase} did not finish within the ${ms} ms deadline`);
  }
}

export interface ErrorContext {
  /** The bootstrap list the client was given ("host:port"). */
  bootstrap: readonly string[];
  /** Listener label for messages: OUTSIDE, INSIDE, ... */
  listener: string;
  topic?: string;
  /** Pulumi stack, for hints. */
  stack?: string;
  /** The SASL user and mechanism, when the client logged in (never the password). */
  login?: { username: string; mechanism: string };
}

export type ErrorKind =
  | "usage"
  | "authentication"
  | "topic-missing"
  | "bootstrap-unreachable"
  | "advertised-unreachable"
  | "not-kafka"
  | "timeout"
  | "coordinator"
  | "replicas"
  | "leader"
  | "protocol"
  | "unknown";

export interface Classified {
  kind: ErrorKind;
  exitCode: ExitCode;
  message: string;
  /** The host:port that failed, when known. */
  address?: string;
}

/** The fields of an error we look at; everything optional because anything can be thrown. */
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  type?: unknown;
  broker?: unknown;
  host?: unknown;
  port?: unknown;
  topic?: unknown;
  phase?: unknown;
  ms?: unknown;
  cause?: unknown;
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ECONNRESET",
  "EPIPE",
  "EADDRNOTAVAIL",
]);

const CODE_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused (nothing listens on that port)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ETIMEDOUT: "connection attempt timed out",
  EADDRNOTAVAIL: "address not available on this machine",
};

/** The error and its causes, outermost first (bounded, cycle-safe). */
export function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === "object" && current !== null && chain.length < 10 && !chain.includes(current)) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  if (chain.length === 0) chain.push({ message: String(error) });
  return chain;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const text = (e: ErrorLike): string => str(e.message) ?? "";

/** "host:port" of the failing connection: the `broker` field, host/port, or the message. */
export function failingAddress(chain: readonly ErrorLike[]): string | undefined {
  for (const e of chain) {
    const broker = str(e.broker);
    if (broker && !broker.startsWith("undefined")) return broker;
    if (str(e.host) && (typeof e.port === "number" || str(e.port))) return `${String(e.host)}:${String(e.port)}`;
  }
  for (const e of chain) {
    const m =
      /\b(?:ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EADDRNOTAVAIL)\s+(\[[^\]]+\]|[^\s:]+):(\d+)/.exec(
        text(e),
      );
    if (m) return `${m[1]}:${m[2]}`;
  }
  return undefined;
}

/** Host name from "getaddrinfo ENOTFOUND kafka" messages. */
function unresolvedHost(chain: readonly ErrorLike[]): string | undefined {
  for (const e of chain) {
    const m = /\b(?:ENOTFOUND|EAI_AGAIN)\s+(\S+)/.exec(text(e));
    if (m) return m[1];
  }
  return undefined;
}

function splitHostPort(address: string): { host: string; port: string } {
  const i = address.lastIndexOf(":");
  return i < 0 ? { host: address, port: "" } : { host: address.slice(0, i), port: address.slice(i + 1) };
}

/** Whether `address` is one of the bootstrap addresses (case-insensitive host, same port). */
export function isBootstrapAddress(address: string, bootstrap: readonly string[]): boolean {
  const a = splitHostPort(address.toLowerCase());
  return bootstrap.some((b) => {
    const x = splitHostPort(b.trim().toLowerCase());
    return x.host === a.host && (a.port === "" || x.port === a.port);
  });
}

function codeOf(chain: readonly ErrorLike[]): string | undefined {
  for (const e of chain) {
    const code = str(e.code);
    if (code && CONNECTION_CODES.has(code)) return code;
  }
  for (const e of chain) {
    const m = /\b(E[A-Z_]{4,})\b/.exec(text(e));
    if (m && CONNECTION_CODES.has(m[1]!)) return m[1];
  }
  return undefined;
}

function hasName(chain: readonly ErrorLike[], ...names: string[]): boolean {
  return chain.some((e) => typeof e.name === "string" && names.includes(e.name));
}

function typeOf(chain: readonly ErrorLike[]): string | undefined {
  for (const e of chain) if (str(e.type)) return e.type as string;
  return undefined;
}

function listenerRole(listener: string): string {
  if (listener === "OUTSIDE") return "listener OUTSIDE: the address the host uses";
  if (listener === "INSIDE") return "listener INSIDE: the address containers on the lab network use";
  return `listener ${listener}`;
}

function reachHint(ctx: ErrorContext): string {
  const stack = ctx.stack ? ` --stack ${ctx.stack}` : "";
  return ctx.listener === "INSIDE"
    ? `Is the lab up, and does this client run on the lab's Docker network? Check 'docker ps' and 'pulumi stack output internalBootstrapServers${stack}'.`
    : `Is the lab up? Check 'docker ps' and the port in 'pulumi stack output bootstrapServers${stack}'.`;
}

function advertisedHint(address: string, ctx: ErrorContext): string {
  if (ctx.listener === "INSIDE") {
    return "containers must run on the lab's Docker network to resolve broker host names ('pulumi stack output networkName')";
  }
  const { port } = splitHostPort(address);
  const portDiffers = port !== "" && !ctx.bootstrap.some((b) => splitHostPort(b.trim()).port === port);
  return (
    "set outsideHost (pulumi config set kafka-lab:outsideHost <host>) to an address the client can reach" +
    (portDiffers ? ` and check outsidePort (the broker advertises port ${port})` : "") +
    ", then 'pulumi up'"
  );
}

function bootstrapLabel(ctx: ErrorContext): string {
  return ctx.bootstrap.join(",") || "(no bootstrap address)";
}

function classifyConnection(chain: readonly ErrorLike[], ctx: ErrorContext): Classified {
  const host = unresolvedHost(chain);
  const address = failingAddress(chain) ?? host ?? bootstrapLabel(ctx);
  const role = listenerRole(ctx.listener);
  const code = codeOf(chain);
  if (!isBootstrapAddress(address, ctx.bootstrap)) {
    return {
      kind: "advertised-unreachable",
      exitCode: EXIT.unreachable,
      address,
      message:
        `the broker advertises ${address} on listener ${ctx.listener}, which this client cannot reach ` +
        `(bootstrap ${bootstrapLabel(ctx)} answered; ${detail(chain)}); ${advertisedHint(address, ctx)}`,
    };
  }
  if (
    hasName(chain, "KafkaJSConnectionClosedError") ||
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    chain.some((e) => /closed by the server/i.test(text(e)))
  ) {
    // A SASL listener closes the connection of a client that sends no login, just like a port that is not Kafka.
    const saslHint = ctx.login
      ? ""
      : " (or the listener wants a SASL login this client did not send: see 'pulumi stack output outsideAuth')";
    return notKafka(address, ctx, `accepted the connection but closed it without a Kafka answer${saslHint}`);
  }
  const why = host
    ? `host name ${host} does not resolve`
    : chain.some((e) => /Connection timeout/.test(text(e)))
      ? "no answer to the connection attempt"
      : ((code && CODE_WORDS[code]) ?? detail(chain));
  return {
    kind: "bootstrap-unreachable",
    exitCode: EXIT.unreachable,
    address,
    message: `cannot reach ${address} (${role}): ${why}. ${reachHint(ctx)}`,
  };
}

function notKafka(address: string, ctx: ErrorContext, what: string): Classified {
  return {
    kind: "not-kafka",
    exitCode: EXIT.unreachable,
    address,
    message:
      `${address} (${listenerRole(ctx.listener)}) ${what}: it does not behave like a Kafka broker. ` +
      `Is that the Kafka port (not ZooKeeper's or a controller's)? ${reachHint(ctx)}`,
  };
}

function classifyTimeout(chain: readonly ErrorLike[], ctx: ErrorContext): Classified {
  const address = failingAddress(chain);
  const phaseError = chain.find((e) => e.name === "PhaseTimeoutError");
  if (address && !isBootstrapAddress(address, ctx.bootstrap)) return classifyConnection(chain, ctx);
  if (chain.some((e) => /ApiVersions/.test(text(e)))) {
    // kafkajs's first request on a connection; its timeout means a listener that does not speak Kafka.
    return notKafka(
      address ?? bootstrapLabel(ctx),
      ctx,
      "accepted the connection but did not answer Kafka's first request (ApiVersions)",
    );
  }
  const what = phaseError
    ? `${String(phaseError.phase)} did not finish within the ${String(phaseError.ms)} ms deadline`
    : detail(chain);
  return {
    kind: "timeout",
    exitCode: EXIT.unreachable,
    ...(address ? { address } : {}),
    message:
      `timed out talking to ${address ?? bootstrapLabel(ctx)} (${listenerRole(ctx.listener)}): ${what}. ` +
      `A broker that was just started may still be starting. ${reachHint(ctx)}`,
  };
}

function topicMissing(chain: readonly ErrorLike[], ctx: ErrorContext): Classified {
  const topic = chain.map((e) => str(e.topic)).find(Boolean) ?? ctx.topic ?? "(unknown)";
  return {
    kind: "topic-missing",
    exitCode: EXIT.usage,
    message:
      `topic ${topic} does not exist on ${bootstrapLabel(ctx)}. Declare it: add "${topic}:1:1" ` +
      `(name:partitions:replicationFactor) to kafka-lab:topics in Pulumi.${ctx.stack ?? "<stack>"}.yaml ` +
      `(or pulumi config set --path 'kafka-lab:topics[<next index>]' ${topic}:1:1) and run 'pulumi up'; ` +
      `or pass --topic with an existing topic.`,
  };
}

function classifyProtocol(type: string, chain: readonly ErrorLike[], ctx: ErrorContext): Classified {
  const where = `${bootstrapLabel(ctx)} (${listenerRole(ctx.listener)})`;
  if (/COORDINATOR/.test(type)) {
    return {
      kind: "coordinator",
      exitCode: EXIT.unreachable,
      message:
        `the broker at ${where} has no consumer-group coordinator (${type}): the internal topic __consumer_offsets ` +
        `is not available. offsets.topic.replication.factor must not exceed the number of brokers (Kafka's ` +
        `default is 3), or the broker is still starting.`,
    };
  }
  if (/NOT_ENOUGH_REPLICAS/.test(type)) {
    return {
      kind: "replicas",
      exitCode: EXIT.unreachable,
      message:
        `the broker refused writes with acks=all (${type}): fewer in-sync replicas than the topic's ` +
        `min.insync.replicas. Check the topic's replication factor against the number of running brokers.`,
    };
  }
  if (/LEADER_NOT_AVAILABLE|NOT_LEADER/.test(type)) {
    return {
      kind: "leader",
      exitCode: EXIT.unreachable,
      message:
        `a partition of ${ctx.topic ?? "the topic"} has no leader (${type}) at ${where}: ` +
        `the broker may still be starting, or a broker of the lab is down ('docker ps').`,
    };
  }
  return {
    kind: "protocol",
    exitCode: EXIT.unreachable,
    message: `the broker at ${where} refused the request: ${type} (${detail(chain)})`,
  };
}

/** The innermost message, which is usually the one with the details. */
function detail(chain: readonly ErrorLike[]): string {
  for (let i = chain.length - 1; i >= 0; i--) {
    const t = text(chain[i]!);
    if (t) return t;
  }
  return "unknown error";
}

/** Group errors a coordinator reports while it moves or loads: they pass by themselves. */
const PASSING_GROUP_ERRORS = new Set(["GROUP_LOAD_IN_PROGRESS", "NOT_COORDINATOR_FOR_GROUP"]);

/**
 * Whether a consumer that failed with this error should start again (kafkajs's restartOnFailure):
 * only for a coordinator still loading or moving, as after a broker restart or on a new
 * __consumer_offsets partition; anything else fails fast with its own message, and the run's
 * deadline bounds the restarts.
 */
export function isPassingGroupError(error: unknown): boolean {
  const type = typeOf(causeChain(error));
  return type !== undefined && PASSING_GROUP_ERRORS.has(type);
}

/** Classifies anything thrown during a smoke test into an actionable message and exit code. */
export function classifyError(error: unknown, ctx: ErrorContext): Classified {
  const chain = causeChain(error);
  if (hasName(chain, "UsageError")) return { kind: "usage", exitCode: EXIT.usage, message: detail(chain) };
  if (hasName(chain, "KafkaJSSASLAuthenticationError") || typeOf(chain) === "SASL_AUTHENTICATION_FAILED") {
    const address = failingAddress(chain) ?? bootstrapLabel(ctx);
    const who = ctx.login
      ? `user ${ctx.login.username} with ${ctx.login.mechanism.toUpperCase()}`
      : "this client (it sent no SASL login)";
    return {
      kind: "authentication",
      exitCode: EXIT.authentication,
      address,
      message:
        `authentication failed at ${address} (${listenerRole(ctx.listener)}) for ${who}: wrong user or password? ` +
        `The lab's user is 'pulumi stack output outsideUsername'; its password is the secret kafka-lab:outsidePassword ` +
        `(pass it in KAFKA_LAB_PASSWORD).`,
    };
  }
  const type = typeOf(chain);
  if (hasName(chain, "TopicMissingError") || type === "UNKNOWN_TOPIC_OR_PARTITION") return topicMissing(chain, ctx);
  if (
    hasName(chain, "KafkaJSGroupCoordinatorNotFound") ||
    chain.some((e) => /coordinator is not available/i.test(text(e)))
  ) {
    return classifyProtocol("COORDINATOR_NOT_AVAILABLE", chain, ctx);
  }
  if (
    hasName(chain, "KafkaJSRequestTimeoutError", "PhaseTimeoutError", "KafkaJSTimeout", "KafkaJSLockTimeout") ||
    chain.some((e) => /\btimed out\b/.test(text(e)))
  ) {
    return classifyTimeout(chain, ctx);
  }
  // "Broker not connected": kafkajs 2.2.4 lets admin.connect() resolve after a failed handshake and
  // throws this plain Error on the first request.
  if (
    hasName(chain, "KafkaJSConnectionError", "KafkaJSConnectionClosedError") ||
    codeOf(chain) ||
    chain.some((e) => /Broker not connected/.test(text(e)))
  ) {
    return classifyConnection(chain, ctx);
  }
  if (hasName(chain, "KafkaJSServerDoesNotSupportApiKey") || type === "UNSUPPORTED_VERSION") {
    const address = failingAddress(chain) ?? bootstrapLabel(ctx);
    return {
      kind: "not-kafka",
      exitCode: EXIT.unreachable,
      address,
      message:
        `${address} (${listenerRole(ctx.listener)}) does not support the Kafka API versions this client needs ` +
        `(${detail(chain)}): is it a KRaft controller port rather than a broker listener? ${reachHint(ctx)}`,
    };
  }
  if (type) return classifyProtocol(type, chain, ctx);
  const name = chain.map((e) => str(e.name)).find(Boolean) ?? "Error";
  return {
    kind: "unknown",
    exitCode: EXIT.unreachable,
    message: `unexpected ${name} talking to ${bootstrapLabel(ctx)} (${listenerRole(ctx.listener)}): ${detail(chain)}`,
  };
}
