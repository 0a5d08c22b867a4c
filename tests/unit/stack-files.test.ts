// This machine's copy of a stack file: the tracked settings, then overrides, then the salt and secrets that only
// the copy keeps. The tracked file is never written, so a fresh clone stays clean and each clone may have its
// own passphrase.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatStackFile,
  machineStackFile,
  parseStackFile,
  rawConfigOf,
  StackFileError,
  typedValue,
} from "../../lib/stack-files.js";

const tracked = parseStackFile(`
config:
  kafka-lab:brokers: 1
  kafka-lab:outsidePort: 9092
  kafka-lab:topics:
    - topic_test:1:1
`);
const previous = parseStackFile(`
config:
  kafka-lab:brokers: 3
  kafka-lab:outsidePassword:
    secure: v1:abc
encryptionsalt: v1:salt:v1:nonce:check
`);

describe("machineStackFile", () => {
  it("takes every tracked setting, then the overrides in their declared types", () => {
    const machine = machineStackFile(tracked, undefined, { outsidePort: "29192", persistence: "true", topics: "[]" });
    assert.deepEqual(machine.config, {
      "kafka-lab:brokers": 1,
      "kafka-lab:outsidePort": 29192,
      "kafka-lab:topics": [],
      "kafka-lab:persistence": true,
    });
  });

  it("keeps the previous copy's salt and secrets, and none of its plain settings", () => {
    const machine = machineStackFile(tracked, previous);
    assert.equal(machine.encryptionsalt, "v1:salt:v1:nonce:check");
    assert.deepEqual(machine.config?.["kafka-lab:outsidePassword"], { secure: "v1:abc" });
    assert.equal(machine.config?.["kafka-lab:brokers"], 1, "the tracked file decides plain settings");
  });

  it("ignores a salt in the tracked file (it belongs to whoever wrote it)", () => {
    const withSalt = parseStackFile("config: {}\nencryptionsalt: v1:theirs\n");
    assert.equal(machineStackFile(withSalt, previous).encryptionsalt, "v1:salt:v1:nonce:check");
    assert.equal(machineStackFile(withSalt, undefined).encryptionsalt, undefined);
  });

  it("refuses a secret in the tracked file, naming it and saying where secrets go", () => {
    const leaked = parseStackFile("config:\n  kafka-lab:outsidePassword:\n    secure: v1:theirs\n");
    assert.throws(
      () => machineStackFile(leaked, previous, {}, "Pulumi.dev.yaml"),
      (error: unknown) => {
        assert.ok(error instanceof StackFileError);
        assert.match(error.message, /Pulumi.dev.yaml holds the secret kafka-lab:outsidePassword/);
        assert.match(error.message, /npm run lab:secret -- outsidePassword/);
        return true;
      },
    );
  });

  it("writes a file Pulumi reads back to the same settings", () => {
    const machine = machineStackFile(tracked, previous, { outsidePort: 29192 });
    const reread = parseStackFile(formatStackFile(machine, "Pulumi.ci.yaml"));
    assert.deepEqual(reread, machine);
    assert.deepEqual(rawConfigOf(reread), {
      brokers: "1",
      outsidePort: "29192",
      topics: JSON.stringify(["topic_test:1:1"]),
    });
  });
});

describe("typedValue", () => {
  it("leaves strings of string keys and malformed values alone (the program refuses those with the key named)", () => {
    assert.equal(typedValue("outsideHost", "123"), "123");
    assert.equal(typedValue("brokers", "three"), "three");
    assert.equal(typedValue("persistence", "yes"), "yes");
  });
});
