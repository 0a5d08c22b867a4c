// startLab() refuses bad settings before Pulumi starts, and says how to change them where a caller gave them: in code.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError, startLab } from "../../lib/start-lab.js";

test("a bad setting is a ConfigError naming the key, with a hint for code, and no stack file is written", async () => {
  const stateDir = mkdtempSync(join(tmpdir(), "kafka-lab-start-"));
  try {
    const failure = await startLab({ stack: "unit-refused", config: { brokers: "three" }, stateDir }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof ConfigError, `expected a ConfigError, got ${String(failure)}`);
    assert.match(failure.message, /kafka-lab:brokers = "three"/);
    assert.match(failure.message, /Change a value in startLab\(\)'s config/);
    assert.doesNotMatch(failure.message, /pulumi config set/);
    assert.deepEqual(
      failure.problems.map((p) => p.key),
      ["brokers"],
    );
    const stacks = join(stateDir, "stacks");
    assert.deepEqual(existsSync(stacks) ? readdirSync(stacks) : [], []);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test("starting from a stack file, the hint names that file too", async () => {
  const stateDir = mkdtempSync(join(tmpdir(), "kafka-lab-start-"));
  try {
    const failure = await startLab({
      stack: "unit-refused",
      stackFile: "Pulumi.kraft.yaml",
      config: { brokers: 0 },
      stateDir,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof ConfigError, `expected a ConfigError, got ${String(failure)}`);
    assert.match(failure.message, /or in Pulumi\.kraft\.yaml, the stackFile it starts from/);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});
