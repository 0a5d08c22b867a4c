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
export function percentile(sortedAsc: ArrayLike<number>, p: number): number | undefined {
  if (sortedAsc.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAsc.length));
  return sortedAsc[Math.min(rank, sortedAsc.length) - 1];
}

/**
 * "3, 5-9, 12 … and 4 more" from ascending integers, at most `limit` items/ranges; `total` is the
 * full count when `sortedAsc` holds only the first of them.
 */
export function describeCounters(
  sortedAsc: readonly number[],
  limit = MESSAGE_LIMIT,
  total = sortedAsc.length,
): string {
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
  const rest = total - shown;
  return rest > 0 ? `${ranges.join(", ")} … and ${rest} more` : ranges.join(", ");
}

/** How many duplicated / out-of-order / unexpected / malformed entries are kept for messages. */
const KEEP = 1_000;

/** A count plus the first KEEP members seen. */
class Kept<T> {
  count = 0;
  readonly first: T[] = [];
  add(item: T): void {
    this.count++;
    if (this.first.length < KEEP) this.first.push(item);
  }
  sampled(): Sampled<T> {
    return { count: this.count, sample: this.first.slice(0, SAMPLE_SIZE) };
  }
}

/**
 * Verifies a round trip record by record, in arrival order, in memory proportional to N (a byte per
 * counter plus one latency per record), so 10 million records fit.
 *
 * Kafka delivers each partition in offset order; an offset at or below one already seen on the same
 * partition is therefore a redelivery (a consumer replay after a rebalance, say) and is only counted.
 * Among first deliveries, a counter seen before is a duplicate (the producer wrote it twice) and a
 * counter lower than the partition's highest so far is out of order. Order is per partition only.
 */
export class Verifier {
  private readonly seen: Uint8Array;
  private distinct = 0;
  private received = 0;
  private redelivered = 0;
  private readonly lastOffset = new Map<number, bigint>();
  private readonly highest = new Map<number, number>();
  private readonly duplicated = new Kept<number>();
  private readonly outOfOrder = new Kept<number>();
  private readonly unexpected = new Kept<number>();
  private readonly malformed = new Kept<string>();
  private readonly latencies: number[] = [];
  private firstAtMs: number | undefined;
  private lastAtMs: number | undefined;

  constructor(readonly sent: number) {
    this.seen = new Uint8Array(Math.max(0, sent));
  }

  add(r: ReceivedRecord): void {
    this.received++;
    this.track(r);
    if (this.isRedelivery(r)) return;
    if (isMalformed(r)) this.malformed.add(`partition ${r.partition} offset ${r.offset}: ${r.malformed}`);
    else this.addCounter(r);
  }

  private track(r: ReceivedRecord): void {
    const begin = !isMalformed(r) && r.sentAtMs !== undefined ? r.sentAtMs : r.receivedAtMs;
    this.firstAtMs = Math.min(this.firstAtMs ?? begin, begin);
    this.lastAtMs = Math.max(this.lastAtMs ?? r.receivedAtMs, r.receivedAtMs);
  }

  private isRedelivery(r: ReceivedRecord): boolean {
    const offset = BigInt(r.offset);
    const last = this.lastOffset.get(r.partition);
    if (last !== undefined && offset <= last) {
      this.redelivered++;
      return true;
    }
    this.lastOffset.set(r.partition, offset);
    return false;
  }

  private addCounter(r: CounterRecord): void {
    const c = r.counter;
    if (r.sentAtMs !== undefined) this.latencies.push(Math.max(0, r.receivedAtMs - r.sentAtMs));
    if (!Number.isInteger(c) || c < 0 || c >= this.sent) return this.unexpected.add(c);
    if (this.seen[c] === 1) return this.duplicated.add(c);
    this.seen[c] = 1;
    this.distinct++;
    const highest = this.highest.get(r.partition) ?? -1;
    if (c < highest) this.outOfOrder.add(c);
    else this.highest.set(r.partition, c);
  }

  private lost(): number[] {
    const lost: number[] = [];
    for (let c = 0; c < this.sent; c++) if (this.seen[c] !== 1) lost.push(c);
    return lost;
  }

  private latency(): LatencyStats {
    const sorted = Float64Array.from(this.latencies).sort(); // typed arrays sort numerically
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1), samples: sorted.length };
  }

  /** Run duration: the caller's timing if given, else first sentAt (or receipt) to last receipt. */
  private duration(timing: RunTiming): number | undefined {
    const start = timing.startedAtMs ?? this.firstAtMs;
    const end = timing.finishedAtMs ?? this.lastAtMs;
    return start === undefined || end === undefined || end < start ? undefined : end - start;
  }

  private reasons(lost: readonly number[]): string[] {
    const reasons: string[] = [];
    if (lost.length > 0) {
      reasons.push(
        `lost ${lost.length} of ${this.sent} (received ${this.received}): missing counters ${describeCounters(lost)}`,
      );
    }
    const sortedUnique = (xs: readonly number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);
    if (this.duplicated.count > 0) {
      reasons.push(
        `${this.duplicated.count} duplicated: counters ${describeCounters(sortedUnique(this.duplicated.first))}`,
      );
    }
    if (this.outOfOrder.count > 0) {
      const shown = sortedUnique(this.outOfOrder.first);
      reasons.push(
        `${this.outOfOrder.count} out of order within a partition: counters ${describeCounters(shown, MESSAGE_LIMIT, this.outOfOrder.count)}`,
      );
    }
    if (this.malformed.count > 0) {
      const shown = this.malformed.first.slice(0, MESSAGE_LIMIT).join("; ");
      const more = this.malformed.count > MESSAGE_LIMIT ? ` … and ${this.malformed.count - MESSAGE_LIMIT} more` : "";
      reasons.push(`${this.malformed.count} malformed: ${shown}${more}`);
    }
    if (this.unexpected.count > 0) {
      const shown = this.unexpected.first.slice(0, MESSAGE_LIMIT).join(", ");
      reasons.push(`${this.unexpected.count} with a counter outside 0..${this.sent - 1}: ${shown}`);
    }
    return reasons;
  }

  summary(timing: RunTiming = {}): Summary {
    const lost = this.lost();
    const reasons = this.reasons(lost);
    const durationMs = this.duration(timing);
    const messagesPerSecond =
      durationMs === undefined || durationMs <= 0 ? undefined : (this.distinct * 1000) / durationMs;
    return {
      ok: reasons.length === 0,
      reasons,
      sent: this.sent,
      received: this.received,
      distinct: this.distinct,
      lost: { count: lost.length, sample: lost.slice(0, SAMPLE_SIZE) },
      duplicated: this.duplicated.sampled(),
      outOfOrder: this.outOfOrder.sampled(),
      malformed: this.malformed.sampled(),
      unexpected: this.unexpected.sampled(),
      redelivered: this.redelivered,
      ignored: timing.ignored ?? 0,
      latencyMs: this.latency(),
      ...(durationMs === undefined ? {} : { durationMs }),
      ...(messagesPerSecond === undefined ? {} : { messagesPerSecond }),
    };
  }
}

/** Verifies `records` (in arrival order) against counters 0..sent-1 sent in order. */
export function verify(sent: number, records: Iterable<ReceivedRecord>, timing: RunTiming = {}): Summary {
  const v = new Verifier(sent);
  for (const r of records) v.add(r);
  return v.summary(timing);
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
  if (s.redelivered > 0)
    notes.push(`${plural(s.redelivered, "record")} redelivered (same offset twice; not a failure)`);
  if (s.ignored > 0) notes.push(`${plural(s.ignored, "record")} of another producer ignored`);
  if (notes.length > 0) lines.push(`note: ${notes.join("; ")}`);
  for (const r of s.reasons) lines.push(`  - ${r}`);
  return lines.join("\n");
}
