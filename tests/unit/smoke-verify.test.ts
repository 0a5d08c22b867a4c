import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeValue,
  describeCounters,
  formatSummary,
  percentile,
  verify,
  Verifier,
  type ReceivedRecord,
} from "../../smoke-tests/verify.js";

/** Counters in order on one partition, offsets from `base`, each 5 ms late. */
function inOrder(counters: number[], partition = 0, base = 0): ReceivedRecord[] {
  return counters.map((counter, i) => ({
    counter,
    partition,
    offset: String(base + i),
    sentAtMs: 1_000 + counter,
    receivedAtMs: 1_005 + counter,
  }));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test("all N in order is ok", () => {
  const s = verify(100, inOrder(range(100)), { startedAtMs: 1_000, finishedAtMs: 2_000 });
  assert.equal(s.ok, true);
  assert.deepEqual(s.reasons, []);
  assert.equal(s.sent, 100);
  assert.equal(s.received, 100);
  assert.equal(s.distinct, 100);
  assert.equal(s.lost.count, 0);
  assert.equal(s.latencyMs.p50, 5);
  assert.equal(s.durationMs, 1_000);
  assert.equal(s.messagesPerSecond, 100);
});

test("a loss fails and names the missing counters", () => {
  const got = range(20).filter((c) => c !== 3 && c !== 7 && c !== 8 && c !== 9);
  const s = verify(20, inOrder(got));
  assert.equal(s.ok, false);
  assert.equal(s.lost.count, 4);
  assert.deepEqual(s.lost.sample, [3, 7, 8, 9]);
  assert.equal(s.reasons.length, 1);
  assert.match(s.reasons[0]!, /lost 4 of 20/);
  assert.match(s.reasons[0]!, /missing counters 3, 7-9$/);
});

test("a long loss list is cut in messages but counted in full", () => {
  const got = range(1000).filter((c) => c % 2 === 0);
  const s = verify(1000, inOrder(got));
  assert.equal(s.lost.count, 500);
  assert.equal(s.lost.sample.length, 20);
  assert.match(s.reasons[0]!, /1, 3, 5, 7, 9, 11, 13, 15, 17, 19 … and 490 more/);
});

test("a duplicate at a new offset fails", () => {
  const records = inOrder([0, 1, 2, 2, 3]);
  const s = verify(4, records);
  assert.equal(s.ok, false);
  assert.equal(s.duplicated.count, 1);
  assert.deepEqual(s.duplicated.sample, [2]);
  assert.equal(s.distinct, 4);
  assert.equal(s.outOfOrder.count, 0);
  assert.match(s.reasons.join("\n"), /1 duplicated: counters 2/);
});

test("the same offset delivered twice is a redelivery, not a duplicate", () => {
  const records = inOrder([0, 1, 2]);
  const s = verify(3, [...records, records[1]!]);
  assert.equal(s.ok, true);
  assert.equal(s.redelivered, 1);
  assert.equal(s.duplicated.count, 0);
});

test("out of order within one partition fails", () => {
  const s = verify(4, inOrder([0, 2, 1, 3]));
  assert.equal(s.ok, false);
  assert.equal(s.outOfOrder.count, 1);
  assert.deepEqual(s.outOfOrder.sample, [1]);
  assert.match(s.reasons.join("\n"), /out of order within a partition: counters 1/);
});

test("order is judged per partition: interleaved across two partitions is ok", () => {
  // Partition 0 carries 0,2,4; partition 1 carries 1,3,5; they arrive p1 first.
  const p0 = inOrder([0, 2, 4], 0);
  const p1 = inOrder([1, 3, 5], 1);
  const s = verify(6, [...p1, ...p0]);
  assert.equal(s.ok, true, s.reasons.join("; "));
  assert.equal(s.outOfOrder.count, 0);
  // ...while the same arrival order on a single partition is not.
  const single = verify(6, inOrder([1, 3, 5, 0, 2, 4], 0));
  assert.equal(single.ok, false);
  assert.equal(single.outOfOrder.count, 3);
});

test("a replay from an earlier offset (consumer rebalance) is redelivery, not duplicates or disorder", () => {
  const records = inOrder([0, 1, 2, 3, 4]);
  // Partition 0 delivered up to offset 3, then replayed from offset 2 after a rebalance.
  const arrival = [records[0]!, records[1]!, records[2]!, records[3]!, records[2]!, records[3]!, records[4]!];
  const s = verify(5, arrival);
  assert.equal(s.ok, true, s.reasons.join("; "));
  assert.equal(s.redelivered, 2);
  assert.equal(s.received, 7);
  assert.equal(s.distinct, 5);
});

test("a producer-side duplicate (same counter, new offset) late in the log is a duplicate, not disorder", () => {
  const s = verify(3, inOrder([0, 1, 2, 0]));
  assert.equal(s.duplicated.count, 1);
  assert.equal(s.outOfOrder.count, 0);
});

test("large runs: a million counters verify in bounded memory", () => {
  const n = 1_000_000;
  const v = new Verifier(n);
  for (let c = 0; c < n; c++) {
    if (c === 123_456) continue;
    v.add({ counter: c, partition: c % 3, offset: String(Math.floor(c / 3)), sentAtMs: 0, receivedAtMs: c % 7 });
  }
  const s = v.summary();
  assert.equal(s.distinct, n - 1);
  assert.deepEqual(s.lost.sample, [123_456]);
  assert.equal(s.outOfOrder.count, 0);
  assert.equal(s.latencyMs.max, 6);
});

test("malformed values fail and say why", () => {
  const meta = { partition: 0, offset: "3", receivedAtMs: 5 };
  const bad = decodeValue("not json", meta);
  const noCounter = decodeValue('{"count": 3}', { ...meta, offset: "4" });
  assert.ok(bad && "malformed" in bad);
  assert.ok(noCounter && "malformed" in noCounter);
  const s = verify(3, [...inOrder([0, 1, 2]), bad, noCounter]);
  assert.equal(s.ok, false);
  assert.equal(s.malformed.count, 2);
  assert.equal(s.distinct, 3);
  assert.match(
    s.reasons[0]!,
    /2 malformed: partition 0 offset 3: not JSON: "not json"; partition 0 offset 4: no numeric counter/,
  );
});

test("decodeValue reads counter and sentAt, and skips other runs", () => {
  const meta = { partition: 2, offset: "10", receivedAtMs: 50 };
  assert.deepEqual(decodeValue('{"counter":7,"sentAt":40,"run":"r1"}', meta, "r1"), {
    ...meta,
    counter: 7,
    sentAtMs: 40,
  });
  assert.equal(decodeValue('{"counter":7,"sentAt":40,"run":"r0"}', meta, "r1"), undefined);
  assert.equal(decodeValue('{"counter":7}', meta, "r1"), undefined);
  assert.deepEqual(decodeValue('{"counter":7}', meta), { ...meta, counter: 7 });
  const empty = decodeValue(null, meta, "r1");
  assert.ok(empty && "malformed" in empty && empty.malformed === "empty value");
});

test("counters outside 0..N-1 fail", () => {
  const s = verify(2, inOrder([0, 1, 5]));
  assert.equal(s.ok, false);
  assert.deepEqual(s.unexpected.sample, [5]);
  assert.match(s.reasons.join("\n"), /counter outside 0\.\.1: 5/);
});

test("empty input: everything lost, no latency, no rate", () => {
  const s = verify(5, []);
  assert.equal(s.ok, false);
  assert.equal(s.received, 0);
  assert.equal(s.lost.count, 5);
  assert.match(s.reasons[0]!, /lost 5 of 5 \(received 0\): missing counters 0-4/);
  assert.equal(s.latencyMs.p50, undefined);
  assert.equal(s.latencyMs.p99, undefined);
  assert.equal(s.messagesPerSecond, undefined);
  assert.match(formatSummary(s), /latency p50 n\/a, p99 n\/a/);
});

test("nearest-rank percentiles on known data", () => {
  const data = range(100).map((i) => i + 1); // 1..100
  assert.equal(percentile(data, 50), 50);
  assert.equal(percentile(data, 99), 99);
  assert.equal(percentile(data, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(percentile([1, 2, 3, 4, 5], 50), 3);
  assert.equal(percentile([], 50), undefined);
});

test("latency percentiles come from sentAt → receivedAt", () => {
  const records: ReceivedRecord[] = range(10).map((c) => ({
    counter: c,
    partition: 0,
    offset: String(c),
    sentAtMs: 0,
    receivedAtMs: (c + 1) * 10, // latencies 10..100
  }));
  const s = verify(10, records);
  assert.equal(s.latencyMs.p50, 50);
  assert.equal(s.latencyMs.p99, 100);
  assert.equal(s.latencyMs.max, 100);
  assert.equal(s.latencyMs.samples, 10);
  // Without explicit timing the run spans first sentAt to last receipt: 10 msgs / 0.1 s.
  assert.equal(s.durationMs, 100);
  assert.equal(s.messagesPerSecond, 100);
});

test("describeCounters compresses ranges", () => {
  assert.equal(describeCounters([1, 2, 3, 5, 8, 9]), "1-3, 5, 8-9");
  assert.equal(describeCounters([1, 3, 5], 2), "1, 3 … and 1 more");
  assert.equal(describeCounters([]), "");
});

test("formatSummary shows the verdict, counts and reasons", () => {
  const s = verify(3, inOrder([0, 2]), { startedAtMs: 0, finishedAtMs: 2_000, ignored: 4 });
  const text = formatSummary(s);
  const lines = text.split("\n");
  assert.match(lines[0]!, /^FAILED: 2\/3 counters received \(2 records; lost 1, duplicated 0/);
  assert.match(lines[1]!, /latency p50 5 ms, p99 5 ms, max 5 ms; 1 msg\/s over 2\.00 s/);
  assert.match(text, /4 records of another producer ignored/);
  assert.match(lines.at(-1)!, /^ {2}- lost 1 of 3 \(received 2\): missing counters 1$/);
  assert.match(formatSummary(verify(1, inOrder([0]))), /^OK: 1\/1/);
});
