// lab:status's text: brokers and controller, partitions with leaders and in-sync replicas, groups with their lag,
// and the services only when they run.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatStatus, type LabStatus } from "../../lib/lab-status.js";

const status: LabStatus = {
  stack: "cluster",
  bootstrapServers: "localhost:9092,localhost:9093",
  brokers: [
    { id: 1, address: "localhost:9092" },
    { id: 2, address: "localhost:9093" },
  ],
  controller: 2,
  topics: [
    {
      name: "orders",
      internal: false,
      partitions: [
        { partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2] },
        { partition: 1, leader: 2, replicas: [2, 1], isr: [2] },
      ],
    },
    { name: "__consumer_offsets", internal: true, partitions: [{ partition: 0, leader: 1, replicas: [1], isr: [1] }] },
  ],
  groups: [
    {
      id: "my-group-id",
      state: "Empty",
      members: 0,
      lag: [
        { topic: "orders", partition: 0, committed: 60, end: 100, lag: 40 },
        { topic: "orders", partition: 1, committed: -1, end: 5, lag: 5 },
      ],
    },
  ],
};

describe("formatStatus", () => {
  const text = formatStatus(status);

  it("names the brokers and the controller", () => {
    assert.match(text, /^Brokers \(controller: 2\)$/m);
    assert.match(text, /^ {2}2 {3}localhost:9093$/m);
  });

  it("shows every partition's leader, replicas and in-sync replicas, and marks the under-replicated", () => {
    assert.match(text, /^ {2}orders +0 +1 +1,2 +1,2$/m);
    assert.match(text, /^ {2}orders +1 +2 +2,1 +2 {2}under-replicated$/m);
  });

  it("gives each group's lag per partition and in total; a partition without a commit shows -", () => {
    assert.match(text, /^ {2}my-group-id: Empty, 0 member\(s\), lag 45$/m);
    assert.match(text, /^ {4}orders +0 +60 +100 +40$/m);
    assert.match(text, /^ {4}orders +1 +- +5 +5$/m);
  });

  it("shows connectors and subjects only when the lab runs them", () => {
    assert.doesNotMatch(text, /Connectors|Schema subjects/);
    const full = formatStatus({
      ...status,
      connectors: [{ name: "lines-in", state: "RUNNING", tasks: [{ id: 0, state: "RUNNING" }] }],
      subjects: [{ subject: "counter-value", versions: [1, 2] }],
    });
    assert.match(full, /^ {2}lines-in: RUNNING; tasks 0 RUNNING$/m);
    assert.match(full, /^ {2}counter-value: versions 1,2$/m);
  });
});
