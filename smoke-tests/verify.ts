// Pure verification of a produce/consume round trip: no Kafka, no I/O.
//
// The producer sends counters 0..N-1 in order; the consumer hands every record
// it received (in arrival order) to `verify`, which says what was lost,
// duplicated, reordered or unreadable, and how fast and how late it arrived.

/** A record whose value parsed as JSON with a numeric `counter`. */
export interface CounterRecord {
  counter: number;
  partition: number;
  /** Kafka offset as kafkajs gives it (a decimal string). */
  offset: string;
  /** When the producer built the message (from the `sentAt` field), if present. */
  sentAtMs?: number;
  receivedAtMs: number;
}

/** A record whose value was not JSON, or had no numeric `counter`. */
export interface MalformedRecord {
  malformed: string;
  partition: number;
  offset: string;
  receivedAtMs: number;
}

export type ReceivedRecord = CounterRecord | MalformedRecord;

/** A count plus the first few members, so a summary stays small for large N. */
export interface Sampled<T> {
  count: number;
  sample: T[];
}

export interface LatencyStats {
  /** Nearest-rank percentiles over sentAt → receivedAt, in ms; undefined without data. */
  p50?: number;
  p99?: number;
  max?: number;
  samples: number;
}

export interface Summary {
  ok: boolean;
  reasons: string[];
  sent: number;
  /** Records handed to verify, malformed ones included. */
  received: number;
  /** Distinct expected counters (0..N-1) received. */
  distinct: number;
  lost: Sampled<number>;
  /** Counters received at more than one offset (a producer-side duplicate). */
  duplicated: Sampled<number>;
  /** Counters lower than an earlier counter of the same partition (first copies only). */
  outOfOrder: Sampled<number>;
  malformed: Sampled<string>;
  /** Numeric counters outside 0..N-1. */
  unexpected: Sampled<number>;
  /** The same partition/offset delivered again (consumer at-least-once; not a failure). */
  redelivered: number;
  /** Records the caller skipped as belonging to another run (reported, not a failure). */
  ignored: number;
  latencyMs: LatencyStats;
  durationMs?: number;
  messagesPerSecond?: number;
}

export interface RunTiming {
  /** When producing started (ms since epoch). */
  startedAtMs?: number;
  /** When consuming stopped (ms since epoch). */
  finishedAtMs?: number;
  /** Records skipped by the caller as foreign to this run. */
  ignored?: number;
}

/** How many members a summary keeps; messages show fewer still. */
export const SAMPLE_SIZE = 20;
/** How many counters (or ranges) a failure message names at most. */
export const MESSAGE_LIMIT = 10;

export function isMalformed(r: ReceivedRecord): r is MalformedRecord {
  return "malformed" in r;
}

/**
 * Turns a Kafka record value into a ReceivedRecord, or `undefined` when `runId` is given and
 * the value is a JSON object without that run id (another producer's record).
 */
export function decodeValue(
  value: string | null,
  meta: { partition: number; offset: string; receivedAtMs: number },
  runId?: string,
): ReceivedRecord | undefined {
  if (value === null) return { ...meta, malformed: "empty value" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { ...meta, malformed: `not JSON: ${preview(value)}` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ...meta, malformed: `not a JSON object: ${preview(value)}` };
  }
  const obj = parsed as Record<string, unknown>;
  // Our producer always writes `run`; a JSON object without our run id is someone else's.
  if (runId !== undefined && obj.run !== runId) return undefined;
  if (typeof obj.counter !== "number" || !Number.isFinite(obj.counter)) {
    return { ...meta, malformed: `no numeric counter: ${preview(value)}` };
  }
  const sentAtMs = typeof obj.sentAt === "number" ? obj.sentAt : undefined;
  return { ...meta, counter: obj.counter, ...(sentAtMs === undefined ? {} : { sentAtMs }) };
}

function preview(text: string): string {
  return text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}…` : JSON.stringify(text);
}

/** Nearest-rank percentile (p in (0, 100]) of ascending-sorted values; undefined if empty. */
export function percentile(sortedAsc: readonly number[], p: number): number | undefined {
  if (sortedAsc.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAsc.length));
  return sortedAsc[Math.min(rank, sortedAsc.length) - 1];
}

/** "3, 5-9, 12 … and 4 more" from ascending integers, at most `limit` items/ranges. */
export function describeCounters(sortedAsc: readonly number[], limit = MESSAGE_LIMIT): string {
  const ranges: string[] = [];
  let shown = 0;
  let i = 0;
  while (i < sortedAsc.length && ranges.length < limit) {
    let j = i;
    while (j + 1 < sortedAsc.length && sortedAsc[j + 1] === sortedAsc[j]! + 1) j++;
    ranges.push(j === i ? `${sortedAsc[i]}` : `${sortedAsc[i]}-${sortedAsc[j]}`);
    shown += j - i + 1;
    i = j + 1;
  }
  const rest = sortedAsc.length - shown;
  return rest > 0 ? `${ranges.join(", ")} … and ${rest} more` : ranges.join(", ");
}

function sampled<T>(all: readonly T[]): Sampled<T> {
  return { count: all.length, sample: all.slice(0, SAMPLE_SIZE) };
}

interface Tally {
  seen: Set<number>;
  duplicated: number[];
  outOfOrder: number[];
  unexpected: number[];
  malformed: string[];
  redelivered: number;
}

/** Sorts each partition's records by offset (the log's order) and drops exact redeliveries. */
function byPartition(records: readonly ReceivedRecord[]): { parts: Map<number, ReceivedRecord[]>; redelivered: number } {
  const parts = new Map<number, ReceivedRecord[]>();
  const offsets = new Set<string>();
  let redelivered = 0;
  for (const r of records) {
    const key = `${r.partition}@${r.offset}`;
    if (offsets.has(key)) {
      redelivered++;
      continue;
    }
    offsets.add(key);
    const list = parts.get(r.partition) ?? [];
    list.push(r);
    parts.set(r.partition, list);
  }
  for (const list of parts.values()) list.sort((a, b) => compareOffsets(a.offset, b.offset));
  return { parts, redelivered };
}

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function tally(sent: number, records: readonly ReceivedRecord[]): Tally {
  const { parts, redelivered } = byPartition(records);
  const t: Tally = { seen: new Set(), duplicated: [], outOfOrder: [], unexpected: [], malformed: [], redelivered };
  for (const [partition, list] of parts) {
    let highest = -Infinity;
    for (const r of list) {
      if (isMalformed(r)) {
        t.malformed.push(`partition ${partition} offset ${r.offset}: ${r.malformed}`);
      } else if (!Number.isInteger(r.counter) || r.counter < 0 || r.counter >= sent) {
        t.unexpected.push(r.counter);
      } else if (t.seen.has(r.counter)) {
        t.duplicated.push(r.counter);
      } else {
        t.seen.add(r.counter);
        if (r.counter < highest) t.outOfOrder.push(r.counter);
        highest = Math.max(highest, r.counter);
      }
    }
  }
  return t;
}

function missing(sent: number, seen: ReadonlySet<number>): number[] {
  const lost: number[] = [];
  for (let c = 0; c < sent; c++) if (!seen.has(c)) lost.push(c);
  return lost;
}

function latency(records: readonly ReceivedRecord[]): LatencyStats {
  const values: number[] = [];
  for (const r of records) {
    if (!isMalformed(r) && r.sentAtMs !== undefined) values.push(Math.max(0, r.receivedAtMs - r.sentAtMs));
  }
  values.sort((a, b) => a - b);
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: values.at(-1), samples: values.length };
}

/** Run duration: the caller's timing if given, else first sentAt (or receipt) to last receipt. */
function duration(records: readonly ReceivedRecord[], timing: RunTiming): number | undefined {
  let start = timing.startedAtMs;
  let end = timing.finishedAtMs;
  for (const r of records) {
    const begin = !isMalformed(r) && r.sentAtMs !== undefined ? r.sentAtMs : r.receivedAtMs;
    if (timing.startedAtMs === undefined) start = start === undefined ? begin : Math.min(start, begin);
    if (timing.finishedAtMs === undefined) end = end === undefined ? r.receivedAtMs : Math.max(end, r.receivedAtMs);
  }
  return start === undefined || end === undefined || end < start ? undefined : end - start;
}

const sortNum = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const uniq = (xs: number[]): number[] => [...new Set(xs)];

function reasonsFor(sent: number, received: number, t: Tally, lost: number[]): string[] {
  const reasons: string[] = [];
  if (lost.length > 0) {
    reasons.push(`lost ${lost.length} of ${sent} (received ${received}): missing counters ${describeCounters(lost)}`);
  }
  if (t.duplicated.length > 0) {
    reasons.push(`${t.duplicated.length} duplicated: counters ${describeCounters(uniq(sortNum(t.duplicated)))}`);
  }
  if (t.outOfOrder.length > 0) {
    reasons.push(`${t.outOfOrder.length} out of order within a partition: counters ${describeCounters(sortNum(t.outOfOrder))}`);
  }
  if (t.malformed.length > 0) {
    const shown = t.malformed.slice(0, MESSAGE_LIMIT).join("; ");
    const more = t.malformed.length > MESSAGE_LIMIT ? ` … and ${t.malformed.length - MESSAGE_LIMIT} more` : "";
    reasons.push(`${t.malformed.length} malformed: ${shown}${more}`);
  }
  if (t.unexpected.length > 0) {
    const shown = t.unexpected.slice(0, MESSAGE_LIMIT).join(", ");
    reasons.push(`${t.unexpected.length} with a counter outside 0..${sent - 1}: ${shown}`);
  }
  return reasons;
}

/** Verifies `records` (arrival order) against counters 0..sent-1 sent in order. */
export function verify(sent: number, records: readonly ReceivedRecord[], timing: RunTiming = {}): Summary {
  const t = tally(sent, records);
  const lost = missing(sent, t.seen);
  const reasons = reasonsFor(sent, records.length, t, lost);
  const durationMs = duration(records, timing);
  const messagesPerSecond =
    durationMs === undefined || durationMs <= 0 ? undefined : (t.seen.size * 1000) / durationMs;
  return {
    ok: reasons.length === 0,
    reasons,
    sent,
    received: records.length,
    distinct: t.seen.size,
    lost: sampled(lost),
    duplicated: sampled(t.duplicated),
    outOfOrder: sampled(t.outOfOrder),
    malformed: sampled(t.malformed),
    unexpected: sampled(t.unexpected),
    redelivered: t.redelivered,
    ignored: timing.ignored ?? 0,
    latencyMs: latency(records),
    ...(durationMs === undefined ? {} : { durationMs }),
    ...(messagesPerSecond === undefined ? {} : { messagesPerSecond }),
  };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
const ms = (v: number | undefined): string => (v === undefined ? "n/a" : `${Math.round(v)} ms`);

/** A compact multi-line, human-readable report (no colours: callers add them). */
export function formatSummary(s: Summary): string {
  const lines = [
    `${s.ok ? "OK" : "FAILED"}: ${s.distinct}/${s.sent} counters received ` +
      `(${s.received} records; lost ${s.lost.count}, duplicated ${s.duplicated.count}, ` +
      `out of order ${s.outOfOrder.count}, malformed ${s.malformed.count})`,
    `latency p50 ${ms(s.latencyMs.p50)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)}` +
      (s.messagesPerSecond === undefined
        ? ""
        : `; ${Math.round(s.messagesPerSecond)} msg/s over ${((s.durationMs ?? 0) / 1000).toFixed(2)} s`),
  ];
  const notes: string[] = [];
  if (s.redelivered > 0) notes.push(`${plural(s.redelivered, "record")} redelivered (same offset twice; not a failure)`);
  if (s.ignored > 0) notes.push(`${plural(s.ignored, "record")} of another producer ignored`);
  if (notes.length > 0) lines.push(`note: ${notes.join("; ")}`);
  for (const r of s.reasons) lines.push(`  - ${r}`);
  return lines.join("\n");
}
