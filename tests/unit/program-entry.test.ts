// One program, two ways in: plain `pulumi up` loads Pulumi.yaml's main through Pulumi's Node.js language host, and
// LabStack hands the Automation API an inline program. Both must be the same function, and the module must be one
// that the language host accepts (a default export and nothing else, as @pulumi/pulumi's run.js requires).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { labProgram, projectRoot } from "../../lib/pulumi-stack.js";

const main = (parse(readFileSync(join(projectRoot, "Pulumi.yaml"), "utf8")) as { main: string }).main;
// Pulumi resolves a folder main to its index module; tsx (Pulumi.yaml's nodeargs) loads the TypeScript file.
const entry = join(projectRoot, main, "index.ts");

describe("the program's entry point", () => {
  it("is infra/index.ts, whose only export is the default one", async () => {
    assert.equal(main, "infra/");
    const module = (await import(entry)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(module), ["default"]);
    assert.equal(typeof module.default, "function");
  });

  it("is the function LabStack runs inline", async () => {
    const module = (await import(entry)) as { default: unknown };
    assert.equal(await labProgram(), module.default);
  });
});
