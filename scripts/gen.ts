// npm run gen: writes the text generated from the code (Pulumi.yaml's config block, the config table of
// docs/configuration.md, the README's outputs table and its copy of examples/round-trip.test.ts; lib/generated-text.ts
// says what and where).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedFiles, readProjectText } from "../lib/generated-text.js";
import { projectRoot } from "../lib/paths.js";

for (const [file, text] of generatedFiles()) {
  if (readProjectText(file) === text) {
    console.log(`gen: ${file} is current`);
    continue;
  }
  writeFileSync(join(projectRoot, file), text);
  console.log(`gen: wrote ${file}`);
}
