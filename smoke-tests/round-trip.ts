// Round-trip smoke test: produce N JSON counters to a topic, consume them with a fresh consumer
// group, and verify that nothing was lost, duplicated or reordered.
//
//   npx tsx smoke-tests/round-trip.ts [--bootstrap host:port[,host:port]] [--listener OUTSIDE|INSIDE]
//     [--stack dev] [--topic topic_test] [--count 100] [--message-bytes N] [--group ID] [--timeout-ms 30000]
//     [--json] [--verbose]
//
// Exit codes: 0 ok; 1 verification failed (loss, duplicates, order, malformed); 2 usage or configuration
// error (bad flag, missing topic, no pulumi and no --bootstrap); 3 Kafka unreachable or timed out;
// 4 authentication failed (SASL on OUTSIDE); 130 SIGINT.

import { randomBytes } from "node:crypto";
import { argv, chalk, updateArgv } from "zx";
import { Kafka, logLevel, type Admin, type Consumer, type LogEntry, type Producer, type SASLOptions } from "kafkajs";
import {
  classifyError,
  EXIT,
  isPassingGroupError,
  PhaseTimeoutError,
  TopicMissingError,
  type Classified,
  type ErrorContext,
  type ExitCode,
} from "./errors.js";
import {
  padJson,
  parseBootstrap,
  parseRoundTripOptions,
  parseSaslLogin,
  ROUND_TRIP_BOOLEANS,
  ROUND_TRIP_STRINGS,
  type RoundTripOptions,
} from "./options.js";
import { stackConfigSecret, stackOutput } from "./stack.js";
import { decodeValue, formatSummary, Verifier, type Summary } from "./verify.js";

const HELP = `Usage: npx tsx smoke-tests/round-trip.ts [flags]

Produces --count JSON messages {"counter": j, "sentAt": ms, "run": id} to --topic, consumes them with a
fresh consumer group and checks for loss, duplicates and per-partition order.

  --bootstrap host:port[,...]  brokers to use (else KAFKA_LAB_BOOTSTRAP, else 'pulumi stack output bootstrapServers')
  --stack NAME                 Pulumi stack to read (else KAFKA_LAB_STACK, else dev)
  --listener OUTSIDE|INSIDE    which listener the address belongs to, for messages (default OUTSIDE)
  --topic NAME                 topic to use; it must exist (default topic_test)
  --consume-topic NAME         read the records back from this topic instead, one that the lab copies --topic to
                               (a Kafka Connect pipeline); every record of the run must arrive there
  --count N                    messages to send, 1..10000000 (default 100)
  --message-bytes N            pad every message to N bytes with a filler field "pad", 100..1000000
  --sasl-mechanism M           scram-sha-256 or scram-sha-512 when OUTSIDE authenticates (else KAFKA_LAB_SASL_MECHANISM,
                               else the stack's outsideAuth output); the password only from KAFKA_LAB_PASSWORD
  --username NAME              SASL user (else KAFKA_LAB_USERNAME, else the stack's outsideUsername, else lab)
                               (default: unpadded, about 65 bytes)
  --group ID                   consumer group (default: a fresh my-group-id-<timestamp>-<random>)
  --timeout-ms MS              deadline for the round trip after connecting: join, produce, consume (default 30000)
  --json                       print the result as one JSON line on stdout (human output goes to stderr)
  --verbose                    show kafkajs's own warnings and errors

Exit codes: 0 ok, 1 verification failed, 2 usage/config error, 3 unreachable/timeout, 4 authentication failed, 130 interrupted.`;

/** Connecting, checking the topic and reading offsets must fail within 10 s on a dead address. */
const CONNECT_DEADLINE_MS = 7_000;
/** kafkajs retries for ~30 s by default; these make a wrong address fail in a few seconds. */
const KAFKA_TIMEOUTS = {
  connectionTimeout: 3_000,
  requestTimeout: 5_000,
  retry: { retries: 2, initialRetryTime: 250, maxRetryTime: 2_000 },
} as const;
const PRODUCE_BATCH = 1_000;
/** Bytes of values per send: one send is one record batch, which the broker refuses past 1 MiB by default. */
const PRODUCE_BATCH_BYTES = 1_000_000;
/** How long disconnecting may take; short, since after a failure connections may hang. */
const DISCONNECT_GRACE_MS = 1_000;

updateArgv(process.argv.slice(2), { string: [...ROUND_TRIP_STRINGS], boolean: [...ROUND_TRIP_BOOLEANS] });

/** Human output: stdout normally, stderr with --json (stdout then carries only the JSON line). */
let say: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

/** kafkajs's log entries at level ERROR, kept (not printed) to explain a later timeout. */
interface KafkaLog {
  name: string;
  message: string;
  broker?: string;
}
let lastKafkaError: KafkaLog | undefined;

function makeLogCreator(verbose: boolean) {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      if (level <= logLevel.ERROR) {
        const broker = typeof log.broker === "string" ? log.broker : undefined;
        const detail = typeof log.error === "string" && log.error !== "" ? `: ${log.error}` : "";
        lastKafkaError = { name: "KafkaJSLog", message: `${log.message}${detail}`, ...(broker ? { broker } : {}) };
      }
      if (verbose) process.stderr.write(chalk.dim(`kafkajs ${namespace}: ${log.message}\n`));
    };
}

/**
 * Some kafkajs failures carry no address or reason ("Broker not connected"); kafkajs's last logged error
 * (e.g. "Request ApiVersions(...) timed out" with the broker) then explains them.
 */
function withKafkaLog(error: unknown): unknown {
  if (!lastKafkaError || !(error instanceof Error) || error.cause !== undefined) return error;
  if ("broker" in error || error.name === "UsageError" || error.name === "TopicMissingError") return error;
  return { name: error.name, message: error.message, cause: lastKafkaError };
}

/** A point in time to finish by, and the budget it came from (for messages). */
interface Deadline {
  at: number;
  budgetMs: number;
}
const deadlineIn = (budgetMs: number): Deadline => ({ at: Date.now() + budgetMs, budgetMs });

/** Rejects with PhaseTimeoutError (its cause: kafkajs's last logged error) when the deadline passes first. */
async function withDeadline<T>(deadline: Deadline, phase: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const error = new PhaseTimeoutError(phase, deadline.budgetMs);
        if (lastKafkaError) (error as Error & { cause?: unknown }).cause = lastKafkaError;
        reject(error);
      },
      Math.max(0, deadline.at - Date.now()),
    );
  });
  try {
    return await Promise.race([work(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

type Offsets = Map<number, bigint>;

/** End offset (next offset to be written) of every partition. */
async function endOffsets(admin: Admin, topic: string): Promise<Offsets> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

async function checkTopic(admin: Admin, topic: string): Promise<void> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic))
    throw new TopicMissingError(
      topic,
      topics.filter((t) => !t.startsWith("__")),
    );
}

/**
 * Collects the records of this run. Which records are "this run's": those at offsets at or after the
 * partition end offsets read just before producing (older records, fetched before the seek to those offsets
 * takes effect, are skipped without parsing), and,
 * among those, JSON objects carrying this run's id — so another producer writing to the topic at the
 * same time (another smoke test, the tutorial's producer) is counted as "ignored", not as duplicates.
 * Values in the window that are not JSON objects are kept and reported as malformed.
 * Records go straight into a streaming Verifier: nothing per record is kept, so 10 million fit.
 */
class Collector {
  readonly verifier: Verifier;
  /** Records of this run received (malformed and redelivered ones included). */
  count = 0;
  ignored = 0;
  /** Next offset to consume, per partition. */
  readonly position: Offsets = new Map();

  constructor(
    private readonly start: Offsets,
    private readonly runId: string,
    sent: number,
  ) {
    this.verifier = new Verifier(sent);
  }

  add(partition: number, offset: string, value: Buffer | null, receivedAtMs: number): void {
    const o = BigInt(offset);
    if (o + 1n > (this.position.get(partition) ?? 0n)) this.position.set(partition, o + 1n);
    if (o < (this.start.get(partition) ?? 0n)) return;
    const record = decodeValue(
      value === null ? null : value.toString("utf8"),
      { partition, offset, receivedAtMs },
      this.runId,
    );
    if (record === undefined) {
      this.ignored++;
    } else {
      this.count++;
      this.verifier.add(record);
    }
  }

  /** Whether every partition has been consumed up to `end`. */
  reached(end: Offsets): boolean {
    for (const [partition, offset] of end) {
      if (offset > (this.start.get(partition) ?? 0n) && (this.position.get(partition) ?? 0n) < offset) return false;
    }
    return true;
  }
}

interface Clients {
  admin?: Admin;
  producer?: Producer;
  consumer?: Consumer;
}
const clients: Clients = {};

async function disconnectAll(): Promise<void> {
  const all = [clients.consumer, clients.producer, clients.admin].filter((c) => c !== undefined);
  await withDeadline(deadlineIn(DISCONNECT_GRACE_MS), "disconnecting", () =>
    Promise.allSettled(all.map((c) => c.disconnect())).then(() => undefined),
  ).catch(() => undefined);
}

/**
 * Without --bootstrap the stack decides: its outputs say whether OUTSIDE authenticates and as whom; the password
 * comes from KAFKA_LAB_PASSWORD or else the stack's secret config (read quietly, never printed). INSIDE never
 * authenticates.
 */
async function resolveSasl(opts: RoundTripOptions): Promise<RoundTripOptions["sasl"]> {
  if (opts.sasl || opts.bootstrap || opts.listener !== "OUTSIDE") return opts.sasl;
  const mechanism = await stackOutput(
    "outsideAuth",
    opts.stack,
    "--bootstrap (and --sasl-mechanism) or KAFKA_LAB_BOOTSTRAP",
  );
  if (mechanism === "none") return undefined;
  const username = await stackOutput("outsideUsername", opts.stack, "--username or KAFKA_LAB_USERNAME");
  const password =
    process.env.KAFKA_LAB_PASSWORD || (await stackConfigSecret("outsidePassword", opts.stack, "KAFKA_LAB_PASSWORD"));
  return parseSaslLogin({ "sasl-mechanism": mechanism, username }, { KAFKA_LAB_PASSWORD: password });
}

async function resolveBootstrap(opts: RoundTripOptions): Promise<string[]> {
  if (opts.bootstrap) return opts.bootstrap;
  const value = await stackOutput("bootstrapServers", opts.stack, "--bootstrap host:port or KAFKA_LAB_BOOTSTRAP");
  return parseBootstrap(value, `stack output bootstrapServers of ${opts.stack}`);
}

/**
 * Joins a fresh group that starts from the earliest offset (the tutorial's auto.offset.reset), then seeks
 * each partition to this run's start offset: the records before it would only be filtered out, and
 * reading them costs time that grows with the topic's history (a 10-million-record history made a
 * 300-message run take 26 s and put that delay into the latency figures).
 */
async function startConsumer(
  consumer: Consumer,
  topic: string,
  collector: Collector,
  start: Offsets,
  deadline: Deadline,
): Promise<{ crash: Promise<never> }> {
  let crashed: (error: unknown) => void = () => undefined;
  const crash = new Promise<never>((_, reject) => (crashed = reject));
  crash.catch(() => undefined); // observed by the caller through Promise.race
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) return crashed(payload.error);
    say(chalk.dim(`  consumer starts again: ${payload.error.message}`));
  });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch, heartbeat }) => {
      const now = Date.now();
      for (const m of batch.messages) collector.add(batch.partition, m.offset, m.value, now);
      await heartbeat();
    },
  });
  await withDeadline(deadline, "joining the consumer group", () => Promise.race([joined, crash]));
  for (const [partition, offset] of start) consumer.seek({ topic, partition, offset: offset.toString() });
  // Wrapped: an async function returning the promise itself would wait for it.
  return { crash };
}

interface ProduceProgress {
  sent: number;
}

async function produce(
  producer: Producer,
  opts: RoundTripOptions,
  runId: string,
  progress: ProduceProgress,
  deadline: Deadline,
): Promise<void> {
  const perSend =
    opts.messageBytes === undefined
      ? PRODUCE_BATCH
      : Math.max(1, Math.min(PRODUCE_BATCH, Math.floor(PRODUCE_BATCH_BYTES / opts.messageBytes)));
  for (let j = 0; j < opts.count; j += perSend) {
    if (Date.now() >= deadline.at) return;
    const sentAt = Date.now();
    const messages: Array<{ value: string }> = [];
    for (let k = j; k < Math.min(opts.count, j + perSend); k++) {
      const value = JSON.stringify({ counter: k, sentAt, run: runId });
      messages.push({ value: opts.messageBytes === undefined ? value : padJson(value, opts.messageBytes) });
    }
    try {
      await withDeadline(deadline, "producing", () => producer.send({ topic: opts.topic, acks: -1, messages }));
    } catch (error) {
      if (error instanceof PhaseTimeoutError) return; // reported with the summary: "sent X of N"
      throw error;
    }
    progress.sent += messages.length;
  }
}

/** Resolves when `caughtUp()` or the deadline passes; rejects on a crash. */
async function waitForConsumer(caughtUp: () => boolean, deadline: Deadline, crash: Promise<never>): Promise<void> {
  const done = new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      if (caughtUp() || Date.now() >= deadline.at) {
        clearInterval(tick);
        resolve();
      }
    }, 50);
  });
  await Promise.race([done, crash]);
}

function startProgress(opts: RoundTripOptions, produced: ProduceProgress, collector: Collector): () => void {
  let last = "";
  const timer = setInterval(() => {
    const line = `  produced ${produced.sent}/${opts.count}, received ${collector.count}/${opts.count}`;
    if (line !== last) say(chalk.dim(line));
    last = line;
  }, 1_000);
  return () => clearInterval(timer);
}

/**
 * Commits the consumed positions, then reads them back: a commit that did not land is a failure reason.
 * The group's committed offset may be ahead of ours (auto-commit of records consumed after we stopped
 * counting, e.g. another producer's), never behind.
 */
async function commitAndCheck(
  consumer: Consumer,
  admin: Admin,
  opts: RoundTripOptions,
  collector: Collector,
): Promise<string[]> {
  const offsets = [...collector.position].map(([partition, offset]) => ({
    topic: opts.consumeTopic,
    partition,
    offset: offset.toString(),
  }));
  if (offsets.length === 0) return [];
  let committed: Awaited<ReturnType<Admin["fetchOffsets"]>>[number] | undefined;
  try {
    await consumer.commitOffsets(offsets);
    [committed] = await admin.fetchOffsets({ groupId: opts.group, topics: [opts.consumeTopic] });
  } catch (error) {
    return [
      `could not commit the consumed offsets of group ${opts.group}: ${error instanceof Error ? error.message : String(error)}`,
    ];
  }
  const problems: string[] = [];
  for (const { partition, offset } of offsets) {
    const got = committed?.partitions.find((p) => p.partition === partition)?.offset;
    if (got === undefined || !/^\d+$/.test(got) || BigInt(got) < BigInt(offset)) {
      problems.push(`committed offset of partition ${partition} is ${got ?? "none"}, expected at least ${offset}`);
    }
  }
  return problems;
}

interface Outcome {
  exitCode: ExitCode;
  summary?: Summary;
  error?: Classified;
}

async function roundTrip(opts: RoundTripOptions, bootstrap: string[]): Promise<Outcome> {
  const runId = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  const kafka = new Kafka({
    clientId: "kafka-lab-smoke",
    brokers: bootstrap,
    ...(opts.sasl ? { sasl: opts.sasl as SASLOptions } : {}),
    ...KAFKA_TIMEOUTS,
    logLevel: logLevel.ERROR,
    logCreator: makeLogCreator(opts.verbose),
  });
  const admin = (clients.admin = kafka.admin());
  const start = await withDeadline(
    deadlineIn(CONNECT_DEADLINE_MS),
    "connecting and reading topic metadata",
    async () => {
      await admin.connect();
      await checkTopic(admin, opts.topic);
      if (opts.consumeTopic !== opts.topic) await checkTopic(admin, opts.consumeTopic);
      return endOffsets(admin, opts.consumeTopic);
    },
  );
  lastKafkaError = undefined; // connected: older log entries explain nothing that follows
  say(
    `${opts.consumeTopic === opts.topic ? "topic" : `reading back from topic`} ${opts.consumeTopic}: ${start.size} partition(s), end offsets ${[
      ...start,
    ]
      .sort(([a], [b]) => a - b)
      .map(([p, o]) => `${p}:${o}`)
      .join(" ")}`,
  );

  const deadline = deadlineIn(opts.timeoutMs);
  const collector = new Collector(start, runId, opts.count);
  const consumer = (clients.consumer = kafka.consumer({
    groupId: opts.group,
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
    retry: { ...KAFKA_TIMEOUTS.retry, restartOnFailure: async (error) => isPassingGroupError(error) },
  }));
  const { crash } = await startConsumer(consumer, opts.consumeTopic, collector, start, deadline);

  const producer = (clients.producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    maxInFlightRequests: 1,
  }));
  await withDeadline(deadline, "connecting the producer", () => producer.connect());
  const produced: ProduceProgress = { sent: 0 };
  const stopProgress = startProgress(opts, produced, collector);
  const startedAtMs = Date.now();
  let end: Offsets | undefined;
  // Read from the topic produced to: done at its end offsets after producing. Read from a copy: done when every
  // record of the run arrived (the copy's end offsets after producing say nothing about records still on the way).
  const caughtUpNow = () =>
    opts.consumeTopic === opts.topic
      ? end !== undefined && collector.reached(end)
      : collector.count >= produced.sent && produced.sent === opts.count;
  try {
    await Promise.race([produce(producer, opts, runId, produced, deadline), crash]);
    if (produced.sent === opts.count && opts.consumeTopic === opts.topic)
      end = await withDeadline(deadline, "reading end offsets", () => endOffsets(admin, opts.topic));
    await waitForConsumer(caughtUpNow, deadline, crash);
  } finally {
    stopProgress();
  }
  const finishedAtMs = Date.now();
  consumer.pause([{ topic: opts.consumeTopic }]); // done counting; stop fetching more

  let summary = collector.verifier.summary({ startedAtMs, finishedAtMs, ignored: collector.ignored });
  const caughtUp = caughtUpNow();
  const extra = await commitAndCheck(consumer, admin, opts, collector);
  if (produced.sent < opts.count) {
    extra.push(
      `deadline of ${opts.timeoutMs} ms passed while producing: ${produced.sent} of ${opts.count} acknowledged (raise --timeout-ms)`,
    );
  } else if (!caughtUp) {
    extra.push(
      opts.consumeTopic === opts.topic
        ? `deadline of ${opts.timeoutMs} ms passed before the consumer reached the end offsets`
        : `deadline of ${opts.timeoutMs} ms passed before every record arrived in ${opts.consumeTopic}`,
    );
  }
  if (extra.length > 0) summary = { ...summary, ok: false, reasons: [...summary.reasons, ...extra] };
  return { exitCode: exitCodeFor(summary, produced.sent < opts.count, caughtUp), summary };
}

/**
 * 0 when verified; 3 when the deadline cut producing short or nothing arrived at all (Kafka too slow or
 * stuck); 1 otherwise: what arrived shows loss, duplicates or disorder — including records that were
 * acknowledged but not delivered before the deadline.
 */
function exitCodeFor(summary: Summary, producingCut: boolean, caughtUp: boolean): ExitCode {
  if (summary.ok) return EXIT.ok;
  if (producingCut || (!caughtUp && summary.received === 0)) return EXIT.unreachable;
  return EXIT.verifyFailed;
}

interface ReportContext {
  json: boolean;
  opts?: RoundTripOptions;
  bootstrap: string[];
  /** When the run began (after Node.js and the script had loaded), for elapsedMs. */
  startedAtMs: number;
}

function report({ json, opts, bootstrap, startedAtMs }: ReportContext, outcome: Outcome): void {
  if (outcome.summary) {
    const text = formatSummary(outcome.summary);
    const [first = "", ...rest] = text.split("\n");
    say((outcome.summary.ok ? chalk.green(first) : chalk.red(first)) + (rest.length ? `\n${rest.join("\n")}` : ""));
  }
  if (outcome.error) process.stderr.write(`${chalk.red("error:")} ${outcome.error.message}\n`);
  if (json) {
    const line = {
      ok: outcome.exitCode === EXIT.ok,
      exitCode: outcome.exitCode,
      bootstrap,
      ...(opts ? { listener: opts.listener, topic: opts.topic, group: opts.group, count: opts.count } : {}),
      ...(opts?.messageBytes === undefined ? {} : { messageBytes: opts.messageBytes }),
      ...(outcome.summary ? { summary: outcome.summary } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      elapsedMs: Date.now() - startedAtMs,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

async function main(): Promise<never> {
  const startedAtMs = Date.now();
  let opts: RoundTripOptions | undefined;
  let bootstrap: string[] = [];
  const context = (): ErrorContext => ({
    bootstrap,
    listener: opts?.listener ?? "OUTSIDE",
    topic: opts?.topic ?? "topic_test",
    ...(opts ? { stack: opts.stack } : {}),
    ...(opts?.sasl ? { login: { username: opts.sasl.username, mechanism: opts.sasl.mechanism } } : {}),
  });
  process.once("SIGINT", () => {
    process.stderr.write(`\n${chalk.yellow("interrupted:")} disconnecting…\n`);
    void disconnectAll().finally(() => process.exit(EXIT.interrupted));
  });
  let outcome: Outcome;
  try {
    opts = parseRoundTripOptions(argv, process.env);
    if (opts.help) {
      process.stdout.write(`${HELP}\n`);
      process.exit(EXIT.ok);
    }
    if (opts.json) say = (line) => process.stderr.write(`${line}\n`);
    bootstrap = await resolveBootstrap(opts);
    const sasl = await resolveSasl(opts);
    if (sasl) opts = { ...opts, sasl };
    say(
      `round trip via ${chalk.bold(bootstrap.join(","))} (listener ${opts.listener}${sasl ? `, ${sasl.mechanism.toUpperCase()} as ${sasl.username}` : ""}), topic ${opts.topic}, ${opts.count} messages${opts.messageBytes === undefined ? "" : ` of ${opts.messageBytes} bytes`}`,
    );
    say(`consumer group ${opts.group}${opts.freshGroup ? " (fresh for this run)" : ""}`);
    outcome = await roundTrip(opts, bootstrap);
  } catch (error) {
    const classified = classifyError(withKafkaLog(error), context());
    outcome = { exitCode: classified.exitCode, error: classified };
  }
  await disconnectAll();
  if (outcome.error?.kind === "usage") outcome.error.message += " (see --help)";
  report({ json: opts?.json ?? argv.json === true, bootstrap, startedAtMs, ...(opts ? { opts } : {}) }, outcome);
  process.exit(outcome.exitCode);
}

await main();
