// One round trip with a client we did not write: kcat (librdkafka), produced and consumed through OUTSIDE,
// checked by the same verification the smoke tests use; with a SCRAM login when the lab asks for one.

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { $ } from "zx";
import { scramLoginSettings, type Login } from "../../lib/console.js";
import { decodeValue, formatSummary, verify, type ReceivedRecord } from "../../smoke-tests/verify.js";

/** librdkafka's properties for a SCRAM login, in a file only this user reads (-F): no password on kcat's command line. */
function withLogin<T>(login: Login | undefined, body: (options: string[]) => Promise<T>): Promise<T> {
  if (!login) return body([]);
  const dir = mkdtempSync(join(tmpdir(), "kafka-lab-kcat-"));
  const file = join(dir, "kcat.conf");
  writeFileSync(
    file,
    scramLoginSettings(login)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(""),
    { mode: 0o600 },
  );
  return body(["-F", file]).finally(() => rmSync(dir, { recursive: true, force: true }));
}

export async function kcatRoundTrip(
  bootstrap: string,
  topic: string,
  count: number,
  log: (line: string) => void,
  login?: Login,
): Promise<void> {
  await withLogin(login, (options) => roundTrip(bootstrap, topic, count, log, options));
}

async function roundTrip(
  bootstrap: string,
  topic: string,
  count: number,
  log: (line: string) => void,
  options: string[],
): Promise<void> {
  const run = randomUUID();
  const lines = Array.from({ length: count }, (_, counter) => JSON.stringify({ counter, run, sentAt: Date.now() }));
  const startedAtMs = Date.now();
  await $({
    input: `${lines.join("\n")}\n`,
  })`kcat ${options} -P -b ${bootstrap} -t ${topic} -X request.required.acks=all -X enable.idempotence=true`;
  // -e: stop at the end of every partition; -f: partition, offset and value, one record per line.
  const consumed = await $`kcat ${options} -C -b ${bootstrap} -t ${topic} -o beginning -e -q -f ${"%p %o %s\n"}`;
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
