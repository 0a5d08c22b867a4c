// Renders a recorded run again (after a change to the report or the chart):
//   npx tsx bench/render.ts bench/.work/<run>.json     -> bench/results/<run>.md and .png (and latest.md if it is the newest)

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderReport } from "./report.js";
import { run } from "./clients.js";
import { pythonWithMatplotlib } from "./tools.js";
import type { Results } from "./model.js";

const file = process.argv[2];
if (!file) {
  console.error("usage: npx tsx bench/render.ts bench/.work/<run>.json");
  process.exit(2);
}
const benchDir = fileURLToPath(new URL(".", import.meta.url));
const resultsDir = join(benchDir, "results");
const base = basename(file, ".json");
const results = JSON.parse(readFileSync(file, "utf8")) as Results;
const python = await pythonWithMatplotlib(console.log);
let png: string | undefined;
if (python) {
  const chart = await run(python, [join(benchDir, "chart.py"), file, join(resultsDir, `${base}.png`)]);
  if (chart.exitCode === 0) png = `${base}.png`;
  else console.error(chart.stderr);
}
const markdown = renderReport(results, png);
writeFileSync(join(resultsDir, `${base}.md`), markdown);
const newest = readdirSync(resultsDir)
  .filter((f) => /^\d{4}-.*\.md$/.test(f))
  .sort()
  .pop();
if (newest === `${base}.md`) writeFileSync(join(resultsDir, "latest.md"), markdown);
console.log(
  `rendered ${join(resultsDir, `${base}.md`)}${png ? ` and ${png}` : ""}${newest === `${base}.md` ? " (latest.md)" : ""}`,
);
