// What the lab:* scripts repeat at the end of a failed pulumi command: the first error under "Diagnostics:"
// with the lines that continue it, not Pulumi's progress and not a stack trace.

import assert from "node:assert/strict";
import { it } from "node:test";
import { checkScriptArgs, reasonOf, ScriptUsageError } from "../../lib/lab-script.js";

const failedUp = `code: 255
 stdout: Updating (badtest):

 +  pulumi:pulumi:Stack kafka-lab-badtest creating (35s) error: kafka-lab config has 1 problem; nothing was created:
 +  pulumi:pulumi:Stack kafka-lab-badtest **creating failed (36s)** 1 error
Diagnostics:
  pulumi:pulumi:Stack (kafka-lab-badtest):
    error: kafka-lab config has 1 problem; nothing was created:
      - kafka-lab:brokers = "0": must be a whole number from 1 to 9
    Change a value with: pulumi config set kafka-lab:<key> <value>

Resources:
    + 1 created
`;

it("repeats the first diagnostic error with its continuation lines", () => {
  assert.equal(
    reasonOf(failedUp),
    [
      "error: kafka-lab config has 1 problem; nothing was created:",
      '  - kafka-lab:brokers = "0": must be a whole number from 1 to 9',
      "  Change a value with: pulumi config set kafka-lab:<key> <value>",
    ].join("\n"),
  );
});

it("points at the output above when there is no diagnostic", () => {
  assert.equal(reasonOf("code: 1\n stderr: something else"), "see Pulumi's output above");
});

// The lab:* scripts refuse a flag they do not take, with their usage line (exit code 2).
const UP = { usage: "usage: npm run lab:up [-- --stack NAME] [--no-smoke]", strings: ["stack"], booleans: ["smoke"] };

it("takes the flags a script declares, as minimist parses them", () => {
  assert.doesNotThrow(() => checkScriptArgs({ _: [], stack: "dev", smoke: false }, UP));
  assert.doesNotThrow(() => checkScriptArgs({ _: [] }, UP));
});

it("refuses an unknown flag, a flag without its value, a value for a boolean and a stray argument, with the usage", () => {
  const cases: Array<[Record<string, unknown> & { _: unknown[] }, RegExp]> = [
    [{ _: [], refrsh: true }, /^unknown flag --refrsh\nusage: npm run lab:up/],
    [{ _: [], stack: true }, /^--stack needs a value/],
    [{ _: [], smoke: "yes" }, /^--smoke takes no value/],
    [{ _: ["dev"] }, /^unexpected argument dev/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => checkScriptArgs(argv, UP),
      (error: Error) => error instanceof ScriptUsageError && message.test(error.message),
    );
  }
  assert.doesNotThrow(() => checkScriptArgs({ _: ["outsidePassword"] }, { ...UP, positional: 1 }));
});
