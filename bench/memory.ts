// Resident memory of a lab's containers (lib/docker.ts containerRssMb: cgroup rss), once or
// sampled about every second while a workload runs, keeping each container's peak and the lab's peak total.

import { containerRssMb } from "../lib/docker.js";

export interface MemorySnapshot {
  /** Container key (zookeeper-1, kafka-1, ...) to MiB. */
  perContainer: Record<string, number>;
  total: number;
}

export async function rssNow(containers: Map<string, string>): Promise<MemorySnapshot> {
  const entries = await Promise.all([...containers].map(async ([key, id]) => [key, await containerRssMb(id)] as const));
  const perContainer = Object.fromEntries(entries);
  return { perContainer, total: entries.reduce((sum, [, mb]) => sum + mb, 0) };
}

/** Samples RSS until the returned stop() is awaited; stop() gives the peaks (per container, and of the sum). */
export function sampleRss(containers: Map<string, string>, everyMs = 1_000): { stop(): Promise<MemorySnapshot> } {
  const peak: MemorySnapshot = { perContainer: {}, total: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const s = await rssNow(containers).catch(() => undefined);
      if (s) {
        for (const [key, mb] of Object.entries(s.perContainer))
          peak.perContainer[key] = Math.max(peak.perContainer[key] ?? 0, mb);
        peak.total = Math.max(peak.total, s.total);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyMs - (Date.now() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}
