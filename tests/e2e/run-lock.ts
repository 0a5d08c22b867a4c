// One e2e run at a time on a machine: runs share the Docker engine, the lab names and the host ports, and each
// starts by removing what an earlier run left, so a second run would tear the first one's labs down. The lock is a
// file in the temporary folder holding the owner's pid; a lock whose process is gone is stale and taken over.

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const LOCK = join(tmpdir(), "kafka-lab-e2e.lock");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the lock or throws naming the run that holds it; the lock goes when this process exits. */
export function acquireRunLock(): void {
  try {
    writeFileSync(LOCK, String(process.pid), { flag: "wx" });
  } catch {
    const holder = Number(readFileSync(LOCK, "utf8"));
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
      throw new Error(
        `another e2e run (pid ${holder}) uses this machine's Docker engine and the labs' names and ports; ` +
          `wait for it, or stop it, then run again (lock: ${LOCK})`,
      );
    }
    writeFileSync(LOCK, String(process.pid));
  }
  process.once("exit", () => {
    if (readFileSync(LOCK, "utf8") === String(process.pid)) rmSync(LOCK, { force: true });
  });
}
