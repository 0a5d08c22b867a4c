// Flags of `npm run bench`. Pure: argv (zx's minimist, value flags as strings) in, options out.

import { TOPOLOGIES, type TopologyName } from "./labs.js";

export const SECTIONS = ["ready", "throughput", "scaling", "tuning"] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  topology: TopologyName;
  reps: number;
  /** Messages per throughput run. */
  messages: number;
  /** Message sizes in bytes for the throughput runs. */
  sizes: number[];
  /** Broker counts of the scaling runs. */
  brokers: number[];
  sections: Set<Section>;
  quick: boolean;
  chart: boolean;
  /** The ready section measures the product on Kubernetes too (the shared cluster). */
  kubernetes: boolean;
  help: boolean;
}

export const HELP = `Usage: npm run bench [-- flags]

Benchmarks kafka-lab on the local Docker engine (local test images, host ports 30000-30999, bench-* labs)
and writes bench/results/<date>-<topology>.md and .png, and bench/results/latest.md.

  --topology NAME    tutorial (Pulumi.ci.yaml, default), cluster (Pulumi.cluster.yaml), kraft (Pulumi.kraft.yaml),
                     connect (Pulumi.connect.yaml: the tutorial lab with Kafka Connect and a schema registry)
  --reps N           repetitions of every measurement, 1..20 (default 3; --quick: 1)
  --messages N       messages per throughput run (default 100000)
  --sizes A,B        message sizes in bytes, 100..1000000 (default 100,1024)
  --brokers A,B,C    broker counts for the scaling runs, 1..9 (default 1,3,5; --quick: 1,3)
  --only LIST        sections: ready,throughput,scaling,tuning (default all). ready: from nothing to ready and
                     to the first message by \`pulumi up\` (the product), by \`docker run\` (the container floor) and
                     by the tutorial compose file, beside Pulumi's own floor: \`pulumi up\` and \`pulumi destroy\` of
                     scratch programs (an output only; + the Docker provider; + one network) in bench/.work/
  --kubernetes       the ready section also makes the lab on Kubernetes (target kubernetes, hostPorts, no
                     persistence) on the single-node cluster beside the project (../shared/kubernetes, started by
                     up.sh as root and stopped with down.sh when the bench started it), interleaved with the rest
  --quick            about 3 minutes: one repetition, fewer labs and variants
  --no-chart         skip the PNG (no matplotlib needed)

A full run with the defaults takes about 15 minutes on 2 cores.`;

const STRINGS = ["topology", "reps", "messages", "sizes", "brokers", "only"];
const BOOLEANS = ["quick", "chart", "kubernetes", "help"];

function intIn(value: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new Error(`${flag}: "${value}" is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new Error(`${flag} must be ${min}..${max}, got ${n}`);
  return n;
}

function list(value: string, flag: string, min: number, max: number): number[] {
  const items = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error(`${flag} needs at least one value`);
  return [...new Set(items.map((s) => intIn(s, flag, min, max)))];
}

export function parseBenchOptions(args: Record<string, unknown> & { _?: unknown[] }): BenchOptions {
  for (const key of Object.keys(args)) {
    if (key === "_" || key === "--") continue;
    if (!STRINGS.includes(key) && !BOOLEANS.includes(key)) throw new Error(`unknown flag --${key} (see --help)`);
    if (Array.isArray(args[key])) throw new Error(`--${key} given more than once`);
  }
  const positional = (args._ ?? []).filter((a) => a !== "");
  if (positional.length > 0) throw new Error(`unexpected argument ${String(positional[0])}`);
  const str = (key: string): string | undefined => {
    const v = args[key];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v.trim() === "") throw new Error(`--${key} needs a value`);
    return v.trim();
  };
  const quick = args.quick === true;
  const topology = str("topology") ?? "tutorial";
  if (!(topology in TOPOLOGIES))
    throw new Error(`--topology must be one of ${Object.keys(TOPOLOGIES).join(", ")}, got ${topology}`);
  const only = str("only");
  const sections = new Set<Section>();
  for (const s of (only ?? SECTIONS.join(","))
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (!(SECTIONS as readonly string[]).includes(s))
      throw new Error(`--only: unknown section ${s} (known: ${SECTIONS.join(", ")})`);
    sections.add(s as Section);
  }
  const reps = str("reps");
  const messages = str("messages");
  const sizes = str("sizes");
  const brokers = str("brokers");
  return {
    topology: topology as TopologyName,
    reps: reps === undefined ? (quick ? 1 : 3) : intIn(reps, "--reps", 1, 20),
    messages: messages === undefined ? 100_000 : intIn(messages, "--messages", 1, 10_000_000),
    sizes: sizes === undefined ? [100, 1024] : list(sizes, "--sizes", 100, 1_000_000),
    brokers: brokers === undefined ? (quick ? [1, 3] : [1, 3, 5]) : list(brokers, "--brokers", 1, 9),
    sections,
    quick,
    chart: args.chart !== false,
    kubernetes: args.kubernetes === true,
    help: args.help === true,
  };
}
