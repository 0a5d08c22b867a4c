// Files that the stack's config names (schema files), read relative to the project root, where Pulumi.yaml is.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (with a trailing slash), where Pulumi.yaml is. */
export const projectRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The file's text, or undefined when it cannot be read. */
export function readProjectFile(path: string): string | undefined {
  try {
    return readFileSync(resolve(projectRoot, path), "utf8");
  } catch {
    return undefined;
  }
}
