// The clients the benchmark drives: the project's kafkajs smoke test (smoke-tests/round-trip.ts, run as a
// user runs it, with --json) and kcat (librdkafka) as the reference producer (-P) and consumer (-C).

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { projectRoot } from "../lib/paths.js";
import { padJson } from "../smoke-tests/options.js";
import { percentile } from "../smoke-tests/verify.js";

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command without a shell; stdin from `input` (a string or a line generator) when given. */
export function run(
  cmd: string,
  args: string[],
  { input, cwd = projectRoot, env }: { input?: string | Iterable<string>; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: env ?? process.env,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ exitCode: code ?? 1, stdout, stderr, seconds: (performance.now() - started) / 1000 }),
    );
    if (input !== undefined) void writeAll(child.stdin!, typeof input === "string" ? [input] : input);
  });
}

async function writeAll(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  stream.on("error", () => undefined); // the reader exited early: its exit code tells
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
}

export interface SmokeResult {
  ok: boolean;
  exitCode: number;
  /** Wall time of the whole smoke-test process (node start, connect, join, produce, consume, verify). */
  seconds: number;
  messagesPerSecond?: number;
  p50Ms?: number;
  p99Ms?: number;
  durationMs?: number;
  /** The error or failure reasons when not ok. */
  problem?: string;
}

/** One run of smoke-tests/round-trip.ts with --json, as a user runs it (a new node process). */
export async function smoke(
  bootstrap: string,
  {
    count,
    messageBytes,
    topic = "topic_test",
    timeoutMs = 120_000,
  }: { count: number; messageBytes?: number; topic?: string; timeoutMs?: number },
): Promise<SmokeResult> {
  const args = [
    "--import",
    "tsx",
    "smoke-tests/round-trip.ts",
    "--bootstrap",
    bootstrap,
    "--topic",
    topic,
    "--count",
    String(count),
    "--timeout-ms",
    String(timeoutMs),
    "--json",
  ];
  if (messageBytes !== undefined) args.push("--message-bytes", String(messageBytes));
  const result = await run(process.execPath, args);
  const line = result.stdout.trim().split("\n").pop() ?? "";
  type Parsed = {
    ok?: boolean;
    summary?: {
      messagesPerSecond?: number;
      durationMs?: number;
      latencyMs?: { p50?: number; p99?: number };
      reasons?: string[];
    };
    error?: { message?: string };
  };
  let parsed: Parsed;
  try {
    parsed = JSON.parse(line) as Parsed;
  } catch {
    parsed = {};
  }
  const s = parsed.summary;
  const ok = result.exitCode === 0 && parsed.ok === true;
  const problem = ok
    ? undefined
    : (parsed.error?.message ??
      s?.reasons?.join("; ") ??
      (result.stderr.trim().split("\n").slice(-3).join(" | ") || `exit code ${result.exitCode}`));
  return {
    ok,
    exitCode: result.exitCode,
    seconds: result.seconds,
    ...(s?.messagesPerSecond === undefined ? {} : { messagesPerSecond: s.messagesPerSecond }),
    ...(s?.latencyMs?.p50 === undefined ? {} : { p50Ms: s.latencyMs.p50 }),
    ...(s?.latencyMs?.p99 === undefined ? {} : { p99Ms: s.latencyMs.p99 }),
    ...(s?.durationMs === undefined ? {} : { durationMs: s.durationMs }),
    ...(problem === undefined ? {} : { problem }),
  };
}

/** End offset of partition 0..n of a topic, read with kafkajs's admin client. */
export async function endOffsets(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const kafka = new Kafka({ clientId: "kafka-lab-bench", brokers: bootstrap.split(","), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

export interface KcatResult {
  ok: boolean;
  /** Round trip as the smoke test counts it: from the first line handed to kcat -P until the consumer has all. */
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** kcat -P alone: process start to exit (all acknowledged). */
  producerMessagesPerSecond: number;
  /** kcat -C -e alone over the same records, already written: process start to end of partition. */
  consumerMessagesPerSecond: number;
  problem?: string;
}

/**
 * kcat on the same lab and topic, with the same payloads (the smoke test's JSON padded to the same size)
 * and the same producer guarantees (acks=all, idempotence). A consumer (kcat -C from this run's start
 * offset, -c N) runs while the producer (kcat -P) writes; latency is the consumer's arrival time minus
 * the record's CreateTime (%T, stamped by librdkafka when kcat hands it the line); kcat's output is
 * block-buffered (an arrival is seen at most one 4 KiB stdio buffer, a few hundred lines, late: `-u`
 * would write every line on its own and halved the round trip rate). Then kcat -C -e reads the same N
 * records again to time the consumer alone. The topic must have one partition.
 */
export async function kcatRoundTrip(
  bootstrap: string,
  { count, messageBytes, topic = "topic_test" }: { count: number; messageBytes: number; topic?: string },
): Promise<KcatResult> {
  const offsets = await endOffsets(bootstrap, topic);
  if (offsets.size !== 1) throw new Error(`kcat benchmark needs a one-partition topic; ${topic} has ${offsets.size}`);
  const start = offsets.get(0)!;
  const runId = randomUUID().slice(0, 17);
  const latencies = new Float64Array(count);
  let received = 0;
  let lastAt = 0;
  const consumer = spawn(
    "kcat",
    ["-C", "-b", bootstrap, "-t", topic, "-p", "0", "-o", String(start), "-c", String(count), "-q", "-f", "%T\n"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let consumerErr = "";
  consumer.stderr.on("data", (d: Buffer) => (consumerErr += d.toString()));
  const lines = createInterface({ input: consumer.stdout });
  lines.on("line", (line) => {
    const now = Date.now();
    if (received < count) latencies[received] = now - Number(line);
    received++;
    lastAt = performance.now();
  });
  const consumed = new Promise<number>((resolve) => consumer.on("close", (code) => resolve(code ?? 1)));
  // Let the consumer connect and fetch from the start offset before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const startedAt = performance.now();
  function* payloads(): Generator<string> {
    const chunk: string[] = [];
    for (let counter = 0; counter < count; counter++) {
      chunk.push(padJson(JSON.stringify({ counter, sentAt: Date.now(), run: runId }), messageBytes));
      if (chunk.length === 1_000) yield `${chunk.splice(0).join("\n")}\n`;
    }
    if (chunk.length > 0) yield `${chunk.join("\n")}\n`;
  }
  const produced = await run(
    "kcat",
    ["-P", "-b", bootstrap, "-t", topic, "-p", "0", "-X", "acks=all", "-X", "enable.idempotence=true"],
    { input: payloads() },
  );
  const timeout = setTimeout(() => consumer.kill("SIGTERM"), 60_000);
  const consumerExit = await consumed;
  clearTimeout(timeout);
  const roundTripSeconds = (lastAt - startedAt) / 1000;
  const again = await run("kcat", [
    "-C",
    "-b",
    bootstrap,
    "-t",
    topic,
    "-p",
    "0",
    "-o",
    String(start),
    "-c",
    String(count),
    "-e",
    "-q",
    "-f",
    "%o\n",
  ]);
  const againCount = again.stdout.split("\n").filter(Boolean).length;
  const sorted = Float64Array.from(latencies.subarray(0, Math.min(received, count))).sort();
  const problems = [
    produced.exitCode !== 0 ? `kcat -P exited ${produced.exitCode}: ${produced.stderr.trim().slice(-200)}` : "",
    consumerExit !== 0 || received !== count
      ? `kcat -C received ${received}/${count} (exit ${consumerExit}) ${consumerErr.trim().slice(-200)}`
      : "",
    again.exitCode !== 0 || againCount !== count
      ? `kcat -C -e read ${againCount}/${count} (exit ${again.exitCode})`
      : "",
  ].filter(Boolean);
  return {
    ok: problems.length === 0,
    messagesPerSecond: count / roundTripSeconds,
    p50Ms: percentile(sorted, 50) ?? NaN,
    p99Ms: percentile(sorted, 99) ?? NaN,
    producerMessagesPerSecond: count / produced.seconds,
    consumerMessagesPerSecond: count / again.seconds,
    ...(problems.length > 0 ? { problem: problems.join("; ") } : {}),
  };
}
