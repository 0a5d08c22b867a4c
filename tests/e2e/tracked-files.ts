// The tracked stack files and Pulumi.yaml must come out of a run byte for byte as they went in: every pulumi
// command gets this machine's copy of the stack file, never the tracked one.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../lib/paths.js";

function hashes(): Map<string, string> {
  const files = readdirSync(projectRoot)
    .filter((f) => /^Pulumi(\..+)?\.yaml$/.test(f))
    .sort();
  return new Map(
    files.map((f) => [
      f,
      createHash("sha256")
        .update(readFileSync(join(projectRoot, f)))
        .digest("hex"),
    ]),
  );
}

export function trackedFilesUnchanged(): { verify(log: (line: string) => void): void } {
  const before = hashes();
  return {
    verify(log) {
      const after = hashes();
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f));
      if (changed.length > 0) throw new Error(`changed during the run: ${changed.join(", ")}`);
      log(`  ${[...after.keys()].join(", ")}: unchanged`);
    },
  };
}
