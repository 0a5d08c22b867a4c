// One round trip with a client we did not write: kcat (librdkafka), produced and consumed through OUTSIDE,
// checked by the same verification the smoke tests use.

import { randomUUID } from "node:crypto";
import { $ } from "zx";
import { decodeValue, formatSummary, verify, type ReceivedRecord } from "../../smoke-tests/verify.js";

export async function kcatRoundTrip(
  bootstrap: string,
  topic: string,
  count: number,
  log: (line: string) => void,
): Promise<void> {
  const run = randomUUID();
  const lines = Array.from({ length: count }, (_, counter) => JSON.stringify({ counter, run, sentAt: Date.now() }));
  const startedAtMs = Date.now();
  await $({
    input: `${lines.join("\n")}\n`,
  })`kcat -P -b ${bootstrap} -t ${topic} -X request.required.acks=all -X enable.idempotence=true`;
  // -e: stop at the end of every partition; -f: partition, offset and value, one record per line.
  const consumed = await $`kcat -C -b ${bootstrap} -t ${topic} -o beginning -e -q -f ${"%p %o %s\n"}`;
  const records: ReceivedRecord[] = [];
  for (const line of consumed.stdout.split("\n").filter(Boolean)) {
    const [partition, offset, ...value] = line.split(" ");
    const record = decodeValue(
      value.join(" "),
      { partition: Number(partition), offset: offset!, receivedAtMs: Date.now() },
      run,
    );
    if (record) records.push(record);
  }
  const summary = verify(count, records, { startedAtMs, finishedAtMs: Date.now() });
  log(
    formatSummary(summary)
      .split("\n")
      .map((l) => `  | ${l}`)
      .join("\n"),
  );
  if (!summary.ok) throw new Error(`kcat round trip failed: ${summary.reasons.join("; ")}`);
}
