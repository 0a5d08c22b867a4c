// A bad config stops the program before it registers a single resource.

import assert from "node:assert/strict";
import { it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, runProgram } from "../support/pulumi-mocks.js";

it("refuses replication above the broker count before any resource exists", async () => {
  const registered = installMocks({
    brokers: "1",
    topics: JSON.stringify(["topic_test:1:3"]),
    bindAddress: "everywhere",
  });
  await assert.rejects(runProgram(), (error: unknown) => {
    assert.ok(error instanceof pulumi.RunError, `expected a RunError, got ${String(error)}`);
    assert.match(
      error.message,
      /kafka-lab:topics = "topic_test:1:3": replication factor 3 of topic_test is more than the 1 broker/,
    );
    assert.match(error.message, /kafka-lab:bindAddress = "everywhere": must be an IP address/);
    return true;
  });
  assert.deepEqual(registered, []);
});
