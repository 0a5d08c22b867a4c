// A password set without --secret stops the program before it registers a single resource, and the message
// names the key but never shows the value.

import assert from "node:assert/strict";
import { it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, runProgram } from "../support/pulumi-mocks.js";

it("refuses outsidePassword in plain text before any resource exists", async () => {
  const password = "plain-text-pass-1";
  const registered = installMocks({ outsideAuth: "scram-sha-256", outsidePassword: password }, "dev", []);
  await assert.rejects(runProgram(), (error: unknown) => {
    assert.ok(error instanceof pulumi.RunError, `expected a RunError, got ${String(error)}`);
    assert.match(error.message, /kafka-lab:outsidePassword = \[secret\]: is stored in plain text/);
    assert.ok(!error.message.includes(password), "the password must not be printed");
    return true;
  });
  assert.deepEqual(registered, []);
});
