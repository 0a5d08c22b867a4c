// The stack outputs as one typed object: every declared output there, of its kind, nothing else.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLabConfig } from "../../infra/model/checks.js";
import { buildTopology } from "../../infra/model/topology.js";
import { outputString, parseLabOutputs } from "../../lib/lab-outputs.js";

const topology = buildTopology(parseLabConfig({ brokers: "2" }), { project: "kafka-lab", stack: "dev" });
const values = Object.fromEntries(Object.entries(topology.outputs).map(([name, o]) => [name, o.value]));

describe("parseLabOutputs", () => {
  it("takes what the program exports, typed", () => {
    const outputs = parseLabOutputs(JSON.parse(JSON.stringify(values)), "stack dev");
    assert.equal(outputs.bootstrapServers, "localhost:9092,localhost:9093");
    assert.deepEqual(outputs.topics, ["topic_test"]);
    assert.equal(outputString(outputs, "topics"), "topic_test");
  });

  it("names every output that is missing, of the wrong kind or unknown", () => {
    const { topics: _gone, ...rest } = values;
    assert.throws(
      () => parseLabOutputs({ ...rest, bootstrapServers: ["a"], extra: "x" }, "stack dev"),
      /^Error: stack dev: bootstrapServers is \["a"\], not a string; topics is missing; extra is not an output/,
    );
  });

  it("refuses what is not an object of outputs", () => {
    assert.throws(() => parseLabOutputs("oops", "stack dev"), /stack dev: target is missing; networkName is missing/);
  });
});
