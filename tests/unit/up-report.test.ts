// What lab:up says it repaired or changed, from Pulumi's engine events (the events' shape as the Automation API
// delivers them, written out here; the e2e reads them from a real up).

import assert from "node:assert/strict";
import { it } from "node:test";
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { changesOf, upReport } from "../../lib/up-report.js";

function step(op: string, type: string, name: string, observed?: string): EngineEvent {
  const urn = `urn:pulumi:dev::kafka-lab::kafka-lab:index:KafkaLab$${type}::${name}`;
  const state = (outputs: Record<string, unknown>) => ({
    type,
    urn,
    id: name,
    parent: "",
    inputs: {},
    outputs,
    provider: "",
  });
  return {
    sequence: 1,
    timestamp: 0,
    resOutputsEvent: {
      metadata: {
        op,
        urn,
        type,
        ...(observed ? { old: state({ observed }), new: state({ observed: "healthy" }) } : {}),
      },
    },
  } as unknown as EngineEvent;
}

it("names what a refresh found changed by hand and what up made again", () => {
  const events = [
    step("same", "docker:index/container:Container", "kafka-1"),
    step("refresh", "docker:index/container:Container", "kafka-2"),
    step("update", "pulumi-nodejs:dynamic/kafka-lab:ContainerHealthy", "healthy-kafka-2", "exited (exit code 137)"),
    step("create", "docker:index/container:Container", "kafka-3"),
    step("create", "pulumi-nodejs:dynamic/kafka-lab:KafkaTopic", "topic-orders"),
    step("update", "pulumi:pulumi:Stack", "kafka-lab-dev"),
  ];
  assert.deepEqual(upReport(changesOf(events), true), [
    "kafka-lab: what pulumi up repaired or changed (found by its refresh, or asked by the config):",
    "  healthy-kafka-2: its container was found exited (exit code 137); started again, and healthy",
    "  created kafka-3 (Container)",
    "  created topic-orders (KafkaTopic)",
  ]);
});

it("says when there was nothing to repair, and counts what a new lab is made of", () => {
  assert.deepEqual(upReport(changesOf([step("same", "x:y:Z", "a")]), true), [
    "kafka-lab: nothing to repair or change: the lab was as declared",
  ]);
  assert.deepEqual(upReport(changesOf([step("create", "x:y:Z", "a"), step("create", "x:y:Z", "b")]), false), [
    "kafka-lab: made the lab (2 resources)",
  ]);
});
