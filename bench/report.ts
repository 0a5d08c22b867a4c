// Renders a benchmark run as Markdown: medians with (min–max) over the repetitions, ratios of medians
// measured in the same run, and the conditions (load average, concurrent labs) they were measured under.

import { FLOOR_PATHS, type Results, type ReadyRun, type ScalingRun, type ThroughputRun } from "./model.js";
import { fmt, num, ratio, spread, type Spread } from "./stats.js";

const PATH_TITLES: Record<string, string> = {
  pulumi: "kafka-lab: `pulumi up` (the product)",
  "pulumi-kubernetes": "kafka-lab on Kubernetes: `pulumi up` (the shared single-node cluster)",
  cli: "same containers by `docker run` (floor)",
  compose: "tutorial compose file + smoke test retried",
  [FLOOR_PATHS.empty]: "Pulumi's floor: a program that exports a string",
  [FLOOR_PATHS.provider]: "Pulumi's floor: the Docker provider and one output",
  [FLOOR_PATHS.network]: "Pulumi's floor: the Docker provider and one network",
};

function table(header: string[], rows: string[][]): string {
  const align = header.map((_, i) => (i === 0 ? "---" : "---:"));
  return [header, align, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

const ok = <T extends { error?: string }>(runs: T[]) => runs.filter((r) => !r.error);
const pick = <T>(runs: T[], f: (r: T) => number | undefined) => runs.map(f).filter((x): x is number => x !== undefined);

function readyPaths(results: Results): string[] {
  const paths: string[] = [];
  for (const r of results.ready) if (!paths.includes(r.path)) paths.push(r.path);
  return paths;
}

function loadOf(runs: Array<{ load1: number }>): string {
  return fmt(spread(runs.map((r) => r.load1)), 1);
}

/** A ready path's runs that did not fail. */
function okReadyRuns(results: Results, path: string): ReadyRun[] {
  return ok(results.ready.filter((r) => r.path === path));
}

/** Median and range of one figure over a ready path's runs that did not fail. */
function readySpread(results: Results, path: string, f: (r: ReadyRun) => number | undefined): Spread | undefined {
  return spread(pick(okReadyRuns(results, path), f));
}

/** The ready table's rows: one per measured path, then one per skipped path of the three. */
function readyRows(results: Results, paths: string[]): string[][] {
  const byPath = (p: string) => okReadyRuns(results, p);
  const s = (p: string, f: (r: ReadyRun) => number | undefined) => readySpread(results, p, f);
  const rows = paths.map((p) => [
    PATH_TITLES[p] ?? `tuning: ${p}`,
    fmt(s(p, (r) => r.healthy)),
    fmt(s(p, (r) => r.ready)),
    fmt(s(p, (r) => r.first)),
    fmt(s(p, (r) => r.teardown)),
    fmt(
      s(p, (r) => r.attempts),
      0,
    ),
    String(pick(byPath(p), (r) => r.restarts).reduce((a, b) => a + b, 0)),
    `${byPath(p).length}/${results.ready.filter((r) => r.path === p).length}`,
    loadOf(results.ready.filter((r) => r.path === p)),
  ]);
  for (const [path, reason] of Object.entries(results.skipped)) {
    if (path in PATH_TITLES && !paths.includes(path))
      rows.push([PATH_TITLES[path] ?? path, `SKIPPED: ${reason}`, "", "", "", "", "", "", ""]);
  }
  return rows;
}

/** What each measured tuning variant changes against the floor (no lines without one). */
function tuningNotes(results: Results, paths: string[]): string[] {
  const tuning = paths.filter((p) => !(p in PATH_TITLES) && results.variants[p]);
  if (!tuning.length) return [];
  return [
    "Tuning variants, started by `docker run` like the floor (each one's changes against it):",
    "",
    ...tuning.map((p) => `- *${p}*: ${results.variants[p]}`),
    "",
  ];
}

/** Ratios of the ready paths' medians: the product against the floor and compose, each tuning variant against the floor. */
function readyRatios(results: Results, paths: string[]): string[] {
  const s = (p: string, f: (r: ReadyRun) => number | undefined) => readySpread(results, p, f);
  const product = (f: (r: ReadyRun) => number | undefined) => s("pulumi", f);
  const floor = (f: (r: ReadyRun) => number | undefined) => s("cli", f);
  const ratios: string[] = [];
  if (paths.includes("pulumi") && paths.includes("cli"))
    ratios.push(
      `kafka-lab (pulumi up) vs docker run floor: ready ${ratio(
        product((r) => r.ready),
        floor((r) => r.ready),
      )}, first message ${ratio(
        product((r) => r.first),
        floor((r) => r.first),
      )}`,
    );
  if (paths.includes("pulumi") && paths.includes("compose"))
    ratios.push(
      `kafka-lab (pulumi up) vs tutorial compose: first message ${ratio(
        product((r) => r.first),
        s("compose", (r) => r.first),
      )} (compose: no readiness guarantee; the user retries)`,
    );
  ratios.push(...floorRatios(results, paths));
  for (const p of paths.filter((x) => !(x in PATH_TITLES)))
    ratios.push(
      `${p} vs the docker run floor: ready ${ratio(
        s(p, (r) => r.ready),
        floor((r) => r.ready),
      )}, first message ${ratio(
        s(p, (r) => r.first),
        floor((r) => r.first),
      )}`,
    );
  return ratios;
}

/** "6.5 s": a median in seconds with one decimal. */
const seconds = (s: Spread | undefined) => (s ? `${num(s.median, 1)} s` : "–");

/** "6.5 s + 10.0 s (×2.54)": a floor's median, what the product's median adds to it, and their ratio. */
function onTopOf(product: Spread | undefined, floor: Spread | undefined): string {
  if (!product || !floor) return `${seconds(floor)} (no ratio)`;
  const d = product.median - floor.median;
  return `${seconds(floor)} ${d < 0 ? "−" : "+"} ${num(Math.abs(d), 1)} s (${ratio(product, floor)})`;
}

/**
 * The product against both floors (no lines without Pulumi's floor): `pulumi up` to ready as a multiple of the
 * container floor and as Pulumi's floor plus the rest, `pulumi destroy` likewise; then Pulumi's floor by itself.
 */
function floorRatios(results: Results, paths: string[]): string[] {
  const floors = Object.values(FLOOR_PATHS).filter((p) => paths.includes(p));
  if (floors.length === 0) return [];
  const s = (p: string, f: (r: ReadyRun) => number | undefined) => readySpread(results, p, f);
  const ready = (p: string) => s(p, (r) => r.ready);
  const down = (p: string) => s(p, (r) => r.teardown);
  const lines: string[] = [];
  if (paths.includes("pulumi")) {
    const against = (what: (p: string) => Spread | undefined, verb: string, cli: string) => {
      const product = what("pulumi");
      const equals = [
        ...(paths.includes("cli")
          ? [`container floor (${cli}) ${seconds(what("cli"))} ${ratio(product, what("cli"))}`]
          : []),
        ...(paths.includes(FLOOR_PATHS.network)
          ? [`Pulumi's floor (provider + network) ${onTopOf(product, what(FLOOR_PATHS.network))}`]
          : []),
        ...(paths.includes(FLOOR_PATHS.provider)
          ? [`Pulumi's floor with the provider only ${onTopOf(product, what(FLOOR_PATHS.provider))}`]
          : []),
      ];
      return `${verb} ${seconds(product)} = ${equals.join("; = ")}`;
    };
    lines.push(against(ready, "`pulumi up` to ready", "`docker run`"));
    lines.push(against(down, "`pulumi destroy`", "`docker stop`, `docker rm`"));
  }
  const steps = [
    [FLOOR_PATHS.empty, "an output only"],
    [FLOOR_PATHS.provider, "+ the Docker provider"],
    [FLOOR_PATHS.network, "+ one network"],
  ].filter(([p]) => paths.includes(p!));
  lines.push(
    `Pulumi by itself, from nothing to its outputs read: ${steps.map(([p, what]) => `${what} ${seconds(ready(p!))}`).join(", ")}; ` +
      `\`pulumi destroy\`: ${steps.map(([p, what]) => `${what} ${seconds(down(p!))}`).join(", ")}`,
  );
  return lines;
}

/** What the Pulumi floor rows are (no lines without them). */
function floorNote(paths: string[]): string[] {
  if (!Object.values(FLOOR_PATHS).some((p) => paths.includes(p))) return [];
  return [
    "*Pulumi's floor*: scratch programs run inline like the product (bench/pulumi-floor.ts), each a fresh stack in every",
    "repetition, run by the same Automation API calls and so the same `pulumi` command lines as the product (`pulumi up",
    "--yes --skip-preview --non-interactive`, then `stack output` and `stack history`); *ready*: from nothing (workspace,",
    "`pulumi stack init`) until `pulumi up` returned and the outputs were read, like the product's; *teardown*: `pulumi destroy`.",
    "",
  ];
}

/** The share of the first smoke test in each *first message* figure (no lines without pulumi runs). */
function smokeNote(results: Results): string[] {
  const smokeOnly = readySpread(results, "pulumi", (r) => r.smokeSeconds);
  if (!smokeOnly) return [];
  return [
    `The first smoke test itself (node start, connect, join a group, 1 message) takes ${fmt(smokeOnly)} s of each *first message* figure.`,
    "",
  ];
}

/** The table of when each provisioning step finished, per path (no lines without recorded steps). */
function phaseTable(results: Results, paths: string[]): string[] {
  const phaseRows: string[][] = [];
  for (const p of paths) {
    const runs = okReadyRuns(results, p).filter((r) => r.phases);
    const names: string[] = [];
    for (const r of runs) for (const k of Object.keys(r.phases!)) if (!names.includes(k)) names.push(k);
    if (names.length === 0) continue;
    phaseRows.push([
      PATH_TITLES[p] ?? `tuning: ${p}`,
      names.map((n) => `${n} ${fmt(spread(pick(runs, (r) => r.phases![n])))}`).join("; "),
    ]);
  }
  if (!phaseRows.length) return [];
  return [
    "Where the time goes (seconds from the start at which each step finished, medians):",
    "",
    table(["path", "steps"], phaseRows),
    "",
  ];
}

/** The table of the ready labs' idle CPU (no lines without a measurement). */
function idleCpuTable(results: Results): string[] {
  const cpuRuns = ok(results.ready).filter((r) => r.idleCpu);
  if (!cpuRuns.length) return [];
  return [
    "Idle CPU of the ready lab over 10 s, in % of one core: its containers (JVMs and healthcheck probes) and the Docker",
    "daemons, which run every probe as an exec (machine-wide: includes the probes of other labs running at the same time):",
    "",
    table(
      ["path", "healthcheck interval", "containers", "Docker daemons", "other labs' containers"],
      cpuRuns.map((r) => [
        PATH_TITLES[r.path] ?? `tuning: ${r.path}`,
        r.path.includes("0.5 s") ? "0.5 s" : "2 s",
        num(r.idleCpu!.containers, 1),
        num(r.idleCpu!.daemons, 1),
        String(r.others),
      ]),
    ),
    "",
  ];
}

function readySection(results: Results): string {
  const paths = readyPaths(results);
  const ratios = readyRatios(results, paths);
  return [
    "## 1. Time to ready and to first consumed message (seconds, from nothing)",
    "",
    "*healthy*: every container's healthcheck passes; *ready*: topics created and a consumer group can find its",
    "coordinator (what `pulumi up` waits for); *first message*: the smoke test (`smoke-tests/round-trip.ts --count 1`,",
    "a new node process) has produced and consumed a message; *restarts*: containers restarted by Docker's restart policy",
    "before the lab was ready (all repetitions). Repetitions interleave the paths.",
    "",
    table(
      ["path", "healthy", "ready", "first message", "teardown", "smoke attempts", "restarts", "ok", "load (1 min)"],
      readyRows(results, paths),
    ),
    "",
    ...floorNote(paths),
    ...tuningNotes(results, paths),
    ...(ratios.length ? ["Ratios of medians:", "", ...ratios.map((r) => `- ${r}`), ""] : []),
    ...smokeNote(results),
    ...phaseTable(results, paths),
    ...idleCpuTable(results),
  ].join("\n");
}

/** Median and range of one figure over the throughput runs that succeeded. */
function okSpread(rs: ThroughputRun[], f: (r: ThroughputRun) => number | undefined): Spread | undefined {
  return spread(
    pick(
      rs.filter((r) => r.ok),
      f,
    ),
  );
}

/** The throughput table's rows: per message size, the kafkajs smoke test and kcat on the baseline lab. */
function throughputRows(baseline: ThroughputRun[], sizes: number[]): string[][] {
  const rows: string[][] = [];
  for (const bytes of sizes) {
    for (const client of ["kafkajs smoke", "kcat"]) {
      const rs = baseline.filter((r) => r.bytes === bytes && r.client === client);
      if (rs.length === 0) continue;
      rows.push([
        `${bytes} B`,
        client === "kcat" ? "kcat -P / -C (librdkafka)" : "kafkajs smoke (round-trip.ts)",
        fmt(
          okSpread(rs, (r) => r.messagesPerSecond),
          0,
        ),
        fmt(
          okSpread(rs, (r) => (r.messagesPerSecond * bytes) / 1e6),
          1,
        ),
        fmt(
          okSpread(rs, (r) => r.p50Ms),
          0,
        ),
        fmt(
          okSpread(rs, (r) => r.p99Ms),
          0,
        ),
        fmt(
          okSpread(rs, (r) => r.producerMessagesPerSecond),
          0,
        ),
        fmt(
          okSpread(rs, (r) => r.consumerMessagesPerSecond),
          0,
        ),
        `${rs.filter((r) => r.ok).length}/${rs.length}`,
        loadOf(rs),
      ]);
    }
  }
  return rows;
}

/** Ratios of the kafkajs smoke test's medians to kcat's, per message size where both succeeded. */
function throughputRatios(baseline: ThroughputRun[], sizes: number[]): string[] {
  const ratios: string[] = [];
  for (const bytes of sizes) {
    const js = okSpread(
      baseline.filter((r) => r.bytes === bytes && r.client === "kafkajs smoke"),
      (r) => r.messagesPerSecond,
    );
    const kc = okSpread(
      baseline.filter((r) => r.bytes === bytes && r.client === "kcat"),
      (r) => r.messagesPerSecond,
    );
    const jsP99 = okSpread(
      baseline.filter((r) => r.bytes === bytes && r.client === "kafkajs smoke"),
      (r) => r.p99Ms,
    );
    const kcP99 = okSpread(
      baseline.filter((r) => r.bytes === bytes && r.client === "kcat"),
      (r) => r.p99Ms,
    );
    if (js && kc)
      ratios.push(
        `${bytes} B: kafkajs smoke / kcat throughput ${ratio(js, kc)}, p99 latency ${ratio(jsP99, kcP99)} (at full speed latency is mostly queueing, which each client does its own way)`,
      );
  }
  return ratios;
}

/** The kafkajs producer variants' table, each against the first (the control); no lines without variants. */
function clientVariantsTable(baseline: ThroughputRun[], sizes: number[]): string[] {
  const variants = baseline.filter((r) => r.client.startsWith("kafkajs: "));
  if (!variants.length) return [];
  const names = [...new Set(variants.map((r) => r.client))];
  const vrows: string[][] = [];
  for (const bytes of sizes) {
    const control = okSpread(
      variants.filter((r) => r.bytes === bytes && r.client === names[0]),
      (r) => r.messagesPerSecond,
    );
    for (const name of names) {
      const rs = variants.filter((r) => r.bytes === bytes && r.client === name);
      const m = okSpread(rs, (r) => r.messagesPerSecond);
      vrows.push([
        `${bytes} B`,
        name.replace("kafkajs: ", ""),
        fmt(m, 0),
        ratio(m, control),
        fmt(
          okSpread(rs, (r) => r.p50Ms),
          0,
        ),
        fmt(
          okSpread(rs, (r) => r.p99Ms),
          0,
        ),
        `${rs.filter((r) => r.ok).length}/${rs.length}`,
      ]);
    }
  }
  return [
    "kafkajs producer variants (bench/kafkajs-variants.ts: the smoke test's round trip rebuilt in-process with its",
    "producer knobs exposed). *smoke settings* is the control: the smoke test's client settings without its verification",
    "bookkeeping and progress output, so it may run faster than the smoke test; compare the variants with it:",
    "",
    table(["size", "variant", "msg/s", "vs smoke settings", "p50 ms", "p99 ms", "ok"], vrows),
    "",
  ];
}

/** The broker memory variants' throughput against the baseline's at the largest size; no lines without variants. */
function memoryVariantsTable(runs: ThroughputRun[]): string[] {
  const lean = runs.filter((r) => r.lab !== "baseline");
  if (!lean.length) return [];
  const vrows: string[][] = [];
  for (const lab of ["baseline", ...new Set(lean.map((r) => r.lab))]) {
    for (const client of ["kafkajs smoke", "kcat"]) {
      const bytes = Math.max(...lean.map((r) => r.bytes));
      const rs = runs.filter((r) => r.lab === lab && r.client === client && r.bytes === bytes);
      if (rs.length)
        vrows.push([
          lab,
          `${bytes} B`,
          client,
          fmt(
            okSpread(rs, (r) => r.messagesPerSecond),
            0,
          ),
          fmt(
            okSpread(rs, (r) => r.p99Ms),
            0,
          ),
          loadOf(rs),
        ]);
    }
  }
  return [
    "Broker memory variants under the same load (their memory is in section 3):",
    "",
    table(["lab", "size", "client", "msg/s", "p99 ms", "load"], vrows),
    "",
  ];
}

function throughputSection(results: Results): string {
  const runs = results.throughput;
  if (runs.length === 0) return "";
  const baseline = runs.filter((r) => r.lab === "baseline");
  const sizes = [...new Set(runs.map((r) => r.bytes))];
  const n = runs[0]!.messages;
  return [
    `## 2. Throughput and latency (${n.toLocaleString("en-US")} messages per run, one partition, acks=all, idempotent producers)`,
    "",
    "Round trip as the smoke test counts it: from the first message handed to the producer until the consumer (started",
    "before) has the last one; latency = arrival at the consumer minus the time the message was built (kafkajs) or",
    "handed to librdkafka (kcat `%T`), so at full speed it is mostly time queued behind earlier messages.",
    "`kcat -P` alone: process start to exit (all acknowledged); `kcat -C -e` alone: the same records read back. MB = 10^6 bytes.",
    "",
    table(
      ["size", "client", "msg/s", "MB/s", "p50 ms", "p99 ms", "kcat -P msg/s", "kcat -C -e msg/s", "ok", "load"],
      throughputRows(baseline, sizes),
    ),
    "",
    "Ratios of medians:",
    "",
    ...throughputRatios(baseline, sizes).map((r) => `- ${r}`),
    "",
    ...clientVariantsTable(baseline, sizes),
    ...memoryVariantsTable(runs),
  ].join("\n");
}

function memorySection(results: Results): string {
  if (results.memory.length === 0 && !results.ready.some((r) => r.path === "compose" && r.rss)) return "";
  const rows: string[][] = [];
  for (const m of results.memory) {
    for (const key of Object.keys(m.limits)) {
      rows.push([
        m.lab,
        key,
        String(m.limits[key]),
        String(m.idle.perContainer[key] ?? "–"),
        String(m.loaded?.perContainer[key] ?? "–"),
      ]);
    }
    rows.push([
      m.lab,
      "**lab total**",
      String(Object.values(m.limits).reduce((a, b) => a + b, 0)),
      `**${m.idle.total}**`,
      m.loaded ? `**${m.loaded.total}**` : "–",
    ]);
  }
  const compose = ok(results.ready.filter((r) => r.path === "compose" && r.rss));
  if (compose.length) {
    const keys = Object.keys(compose[0]!.rss!.perContainer);
    for (const key of keys)
      rows.push([
        "tutorial compose (default heaps 1 GB / 512 MB)",
        key,
        "none",
        fmt(spread(compose.map((r) => r.rss!.perContainer[key] ?? NaN)), 0),
        "–",
      ]);
    rows.push([
      "tutorial compose (default heaps 1 GB / 512 MB)",
      "**lab total**",
      "none",
      `**${fmt(spread(compose.map((r) => r.rss!.total)), 0)}**`,
      "–",
    ]);
  }
  const out = [
    "## 3. Memory (RSS in MiB, cgroup `rss`)",
    "",
    "*idle*: 3 s after the lab is ready, before any client; *under load*: the peak of samples taken every second during all",
    "throughput runs on that lab (the lab total is the peak of the sums). Compose: after its first smoke test passed.",
    "",
    table(["lab", "container", "limit", "idle", "under load (peak)"], rows),
    "",
  ];
  const described = results.memory.filter((m) => m.lab !== "baseline");
  if (described.length) out.push(...described.map((m) => `- *${m.lab}*: ${m.description}`), "");
  return out.join("\n");
}

/** The scaling runs of one variant and broker count. */
function scalingRunsOf(results: Results, variant: string, brokers: number): ScalingRun[] {
  return results.scaling.filter((r) => r.variant === variant && r.brokers === brokers);
}

/** The scaling table's rows: per broker count, each variant measured with it. */
function scalingRows(results: Results, counts: number[], variants: string[]): string[][] {
  const rows: string[][] = [];
  for (const b of counts) {
    for (const v of variants) {
      const all = scalingRunsOf(results, v, b);
      if (all.length === 0) continue;
      const rs = ok(all);
      const brokerRss = spread(
        rs.flatMap((r) =>
          Object.entries(r.idle?.perContainer ?? {})
            .filter(([k]) => k.startsWith("kafka-"))
            .map(([, x]) => x),
        ),
      );
      rows.push([
        String(b),
        v,
        String(all[0]!.containers),
        fmt(spread(pick(rs, (r) => r.healthy))),
        fmt(spread(pick(rs, (r) => r.ready))),
        fmt(spread(pick(rs, (r) => r.idle?.total)), 0),
        fmt(brokerRss, 0),
        fmt(spread(pick(rs, (r) => r.teardown))),
        String(pick(rs, (r) => r.restarts).reduce((a, b) => a + b, 0)),
        `${rs.length}/${all.length}`,
        loadOf(all),
      ]);
    }
  }
  return rows;
}

/** Ratios of the scaling medians: the most brokers against the fewest, then each variant against the baseline. */
function scalingRatios(results: Results, counts: number[], variants: string[]): string[] {
  const med = (v: string, b: number, f: (r: ScalingRun) => number | undefined) =>
    spread(pick(ok(scalingRunsOf(results, v, b)), f));
  const lines: string[] = [];
  const lo = counts[0]!;
  const hi = counts[counts.length - 1]!;
  if (counts.length > 1) {
    lines.push(
      `- baseline, ${hi} brokers vs ${lo}: ready ${ratio(
        med("baseline", hi, (r) => r.ready),
        med("baseline", lo, (r) => r.ready),
      )}, ` +
        `idle RSS ${ratio(
          med("baseline", hi, (r) => r.idle?.total),
          med("baseline", lo, (r) => r.idle?.total),
        )}, ` +
        `teardown ${ratio(
          med("baseline", hi, (r) => r.teardown),
          med("baseline", lo, (r) => r.teardown),
        )}`,
    );
  }
  for (const v of variants.filter((x) => x !== "baseline")) {
    for (const b of counts) {
      lines.push(
        `- ${v} vs baseline, ${b} broker(s): ready ${ratio(
          med(v, b, (r) => r.ready),
          med("baseline", b, (r) => r.ready),
        )}, ` +
          `idle RSS ${ratio(
            med(v, b, (r) => r.idle?.total),
            med("baseline", b, (r) => r.idle?.total),
          )}, ` +
          `teardown ${ratio(
            med(v, b, (r) => r.teardown),
            med("baseline", b, (r) => r.teardown),
          )}`,
      );
    }
  }
  return lines;
}

function scalingSection(results: Results): string {
  if (results.scaling.length === 0) return "";
  const counts = [...new Set(results.scaling.map((r) => r.brokers))].sort((a, b) => a - b);
  const variants = [...new Set(results.scaling.map((r) => r.variant))];
  const described = variants
    .filter((v) => v !== "baseline" && results.variants[v])
    .map((v) => `*${v}*, its changes against the baseline: ${results.variants[v]}.`);
  return [
    `## 4. Scaling and 5. teardown (${results.meta.topology} topology with \`brokers\` overridden, topic_test:1:1 only)`,
    "",
    "Idle RSS: 1 s after ready. Teardown: brokers stopped (SIGTERM, 30 s grace) before ZooKeeper, then containers, network",
    "and volumes removed.",
    ...described.map((d) => `${d}`),
    "",
    table(
      [
        "brokers",
        "variant",
        "containers",
        "healthy s",
        "ready s",
        "lab RSS idle MiB",
        "RSS per broker MiB",
        "teardown s",
        "restarts",
        "ok",
        "load",
      ],
      scalingRows(results, counts, variants),
    ),
    "",
    "Ratios of medians:",
    "",
    ...scalingRatios(results, counts, variants),
    "",
  ].join("\n");
}

function teardownSummary(results: Results): string {
  const rows: string[][] = [];
  for (const p of readyPaths(results)) {
    const s = spread(pick(ok(results.ready.filter((r) => r.path === p)), (r) => r.teardown));
    if (s) rows.push([PATH_TITLES[p] ?? `tuning: ${p}`, fmt(s)]);
  }
  for (const b of [...new Set(results.scaling.map((r) => r.brokers))].sort((x, y) => x - y)) {
    for (const v of [...new Set(results.scaling.map((r) => r.variant))]) {
      const s = spread(pick(ok(results.scaling.filter((r) => r.brokers === b && r.variant === v)), (r) => r.teardown));
      if (s) rows.push([`scaling lab, ${b} broker(s), ${v}`, fmt(s)]);
    }
  }
  if (rows.length === 0) return "";
  return [
    "### Teardown (seconds: stop brokers, then ZooKeeper, remove containers, network, volumes)",
    "",
    table(["lab", "teardown"], rows),
    "",
  ].join("\n");
}

export function renderReport(results: Results, png: string | undefined): string {
  const m = results.meta;
  const header = [
    `# kafka-lab benchmark, ${m.startedAt.slice(0, 16).replace("T", " ")} UTC`,
    "",
    `\`${m.command}\` — topology **${m.topology}** (${m.stackFile}, local test images), ${m.reps} repetition(s)` +
      `${m.quick ? ", quick mode" : ""}; ${m.seconds ?? "?"} s in all.`,
    "",
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB; load average ${m.load.start.join(" ")} at the start,` +
      ` ${m.load.end?.join(" ") ?? "?"} at the end; ` +
      (m.othersMax > 0
        ? `up to ${m.othersMax} containers of other kafka-lab labs (a concurrent e2e run) were running during the measurements.`
        : "no other kafka-lab lab was running.") +
      " Figures are medians with (min–max) over the repetitions.",
    "",
    `Versions: ${Object.entries(m.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}; commit ${m.commit}.`,
    "",
    png ? `![benchmark chart](${png})\n` : "",
  ].join("\n");
  const errors = results.errors.length ? ["## Errors", "", ...results.errors.map((e) => `- ${e}`), ""] : [];
  const skipped = Object.entries(results.skipped).map(([k, v]) => `- SKIPPED: ${k}: ${v}`);
  return (
    [
      header,
      readySection(results),
      throughputSection(results),
      memorySection(results),
      scalingSection(results),
      teardownSummary(results),
      ...(skipped.length ? ["## Skipped", "", ...skipped, ""] : []),
      ...errors,
    ]
      .filter((s) => s !== "")
      .join("\n") + "\n"
  );
}
