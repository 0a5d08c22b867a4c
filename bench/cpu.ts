// CPU a lab uses while idle: its containers (Docker's cgroup accounting, healthcheck probes included) and
// the Docker daemons, which run every healthcheck probe as an exec (read from /proc; Linux hosts only).

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { containerStats } from "../lib/docker.js";

const CLOCK_TICKS = 100;
const DAEMONS = ["dockerd", "containerd", "containerd-shim", "containerd-shim-runc-v2"];

function daemonPids(): number[] {
  try {
    return execFileSync("pgrep", ["-x", DAEMONS.join("|")])
      .toString()
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** utime + stime + children's, in seconds, of the Docker daemons (children: reaped runc and probe processes). */
function daemonCpuSeconds(): number {
  let ticks = 0;
  for (const pid of daemonPids()) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / CLOCK_TICKS;
}

async function containerCpuSeconds(ids: string[]): Promise<number> {
  const usage = await Promise.all(
    ids.map(async (id) => {
      const stats = await containerStats(id);
      return Number(stats.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9;
    }),
  );
  return usage.reduce((a, b) => a + b, 0);
}

export interface IdleCpu {
  /** Percent of one core over the window. */
  containers: number;
  daemons: number;
  seconds: number;
}

/** CPU of an idle lab over `seconds`, in percent of one core; the daemons' share is machine-wide. */
export async function idleCpu(containerIds: string[], seconds: number): Promise<IdleCpu> {
  const c0 = await containerCpuSeconds(containerIds);
  const d0 = daemonCpuSeconds();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const c1 = await containerCpuSeconds(containerIds);
  const d1 = daemonCpuSeconds();
  const elapsed = (performance.now() - t0) / 1000;
  return { containers: ((c1 - c0) / elapsed) * 100, daemons: ((d1 - d0) / elapsed) * 100, seconds: elapsed };
}
