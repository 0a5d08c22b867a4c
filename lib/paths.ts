// Where the project lives on this machine.

import { fileURLToPath } from "node:url";

/** The project root (with a trailing slash). */
export const projectRoot = fileURLToPath(new URL("../", import.meta.url));
