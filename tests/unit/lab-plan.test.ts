// What a lab settles when it is made and keeps: host ports chosen once, internal replication, the KRaft quorum, the
// ZooKeeper ensemble; and the changes it refuses, naming the key.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RawConfig } from "../../infra/model/config.js";
import { parseLabConfig } from "../../infra/model/checks.js";
import { freshPlan, nextPlan, parseLabPlan, portCandidates, portsOf } from "../../infra/model/lab-plan.js";
import { replicasOnRemovedBrokers } from "../../infra/program/shrink-check.js";
import { buildTopology } from "../../infra/model/topology.js";
import { PORT_RANGES } from "../../lib/ports.js";

const config = (raw: RawConfig = {}) => parseLabConfig(raw);
const first = (raw: RawConfig, kept?: Record<string, number>, published?: string[]) =>
  portCandidates(config(raw), kept, published).next().value!;

describe("host ports left at 0", () => {
  it("are the conventional ones first", () => {
    assert.deepEqual(first({}), {
      outsidePort: 9092,
      zookeeperPort: 2181,
      connectPort: 8083,
      schemaRegistryPort: 8081,
    });
  });

  it("come as blocks of 100 after that, below the tests' and benchmark's ranges", () => {
    const [, second, third] = [...portCandidates(config({}), undefined, ["outsidePort", "connectPort"])].slice(0, 3);
    assert.deepEqual(second, { outsidePort: 20001, connectPort: 20021 });
    assert.deepEqual(third, { outsidePort: 20101, connectPort: 20121 });
    const all = [...portCandidates(config({}), undefined, ["outsidePort"])];
    const testsFrom = Math.min(...Object.values(PORT_RANGES).map((r) => r.first));
    assert.ok(
      all.every((c) => Math.floor(c.outsidePort! / 100) * 100 + 99 < testsFrom),
      "never in the tests' and benchmark's ranges",
    );
  });

  it("keep what the lab kept, and what the stack sets", () => {
    assert.deepEqual(first({ connectPort: "18083" }, { outsidePort: 20001 }, ["outsidePort", "connectPort"]), {
      outsidePort: 20001,
      connectPort: 18083,
    });
    const only = [...portCandidates(config({}), { outsidePort: 20001 }, ["outsidePort"])];
    assert.deepEqual(only, [{ outsidePort: 20001 }], "a kept port is the only candidate");
  });

  it("never overlap a port the stack sets, also with the brokers' span", () => {
    const candidate = first({ connectPort: "9095" }, undefined, ["outsidePort", "connectPort"]);
    assert.equal(candidate.outsidePort, 20001, "9092-9100 holds 9095");
    const kept = first({ connectPort: "20005" }, { outsidePort: 20001 }, ["outsidePort", "connectPort"]);
    assert.notEqual(kept.outsidePort, 20001, "a kept port the stack now overlaps is chosen again");
    assert.ok(!portsOf({ outsidePort: kept.outsidePort! }).includes(20005));
  });

  it("become the topology's ports through the plan", () => {
    const c = config({ brokers: "3" });
    const topology = buildTopology(c, { project: "kafka-lab", stack: "dev" }, freshPlan(c, { outsidePort: 20101 }));
    assert.equal(topology.outputs.bootstrapServers.value, "localhost:20101,localhost:20102,localhost:20103");
  });
});

describe("the plan of a lab made now", () => {
  it("settles internal replication and the quorum from the brokers it starts with", () => {
    assert.deepEqual(freshPlan(config({ brokers: "3" }), {}), {
      mode: "zookeeper",
      brokers: 3,
      zookeeperNodes: 1,
      controllers: 0,
      internalReplicationFactor: 3,
      ports: {},
    });
    const kraft = freshPlan(config({ mode: "kraft", brokers: "2" }), {});
    assert.equal(kraft.controllers, 1);
    assert.equal(kraft.zookeeperNodes, 0);
  });
});

describe("the next plan", () => {
  const made = (raw: RawConfig) => freshPlan(config(raw), {});
  const problems = (raw: RawConfig, previous: RawConfig) => nextPlan(config(raw), made(previous), {}).problems;

  it("keeps internal replication when the lab grows: 1 -> 3 brokers leaves broker 1's env as it was", () => {
    const c1 = config({ brokers: "1", outsidePort: "9092" });
    const c3 = config({ brokers: "3", outsidePort: "9092" });
    const { plan, problems: none } = nextPlan(c3, freshPlan(c1, {}), {});
    assert.deepEqual(none, []);
    assert.equal(plan.internalReplicationFactor, 1);
    const identity = { project: "kafka-lab", stack: "dev" };
    const before = buildTopology(c1, identity, freshPlan(c1, {})).containers.find((c) => c.key === "kafka-1")!;
    const after = buildTopology(c3, identity, plan).containers.find((c) => c.key === "kafka-1")!;
    assert.deepEqual(after, before, "kafka-1 stays exactly as it was");
  });

  it("refuses a change of mode, naming it", () => {
    const [problem] = problems({ mode: "kraft" }, {});
    assert.equal(problem!.key, "mode");
    assert.match(problem!.allowed, /made in zookeeper mode .* destroy the lab first/);
  });

  it("refuses a new ZooKeeper ensemble", () => {
    const [problem] = problems({ zookeeperNodes: "3" }, {});
    assert.equal(problem!.key, "zookeeperNodes");
    assert.match(problem!.allowed, /ensemble has 1 node since it was made/);
  });

  it("refuses a change of the KRaft quorum, saying which broker counts keep it", () => {
    const [grow] = problems({ mode: "kraft", brokers: "3" }, { mode: "kraft", brokers: "1" });
    assert.equal(grow!.key, "brokers");
    assert.match(grow!.allowed, /quorum is broker 1 .* 3 brokers would need 3 controllers,.*keep 1 or 2 brokers/);
    assert.deepEqual(problems({ mode: "kraft", brokers: "5" }, { mode: "kraft", brokers: "3" }), []);
    const [shrink] = problems({ mode: "kraft", brokers: "1" }, { mode: "kraft", brokers: "3" });
    assert.match(shrink!.allowed, /quorum is brokers 1-3 .* 1 broker would need 1 controller,.*keep 3 to 9/);
  });

  it("refuses fewer brokers than the internal topics' replicas", () => {
    const [problem] = problems({ brokers: "2" }, { brokers: "3" });
    assert.match(problem!.allowed, /keep 3 replicas .* at least 3 brokers/);
  });
});

describe("labPlan output", () => {
  it("reads back what it stored, and nothing else", () => {
    const plan = freshPlan(config(), { outsidePort: 9092 });
    assert.deepEqual(parseLabPlan(JSON.stringify(plan)), plan);
    assert.equal(parseLabPlan(undefined), undefined);
    assert.equal(parseLabPlan("{}"), undefined);
    assert.equal(parseLabPlan("not json"), undefined);
  });
});

describe("removing brokers", () => {
  it("is refused while they hold replicas, naming the partitions", () => {
    const partitions = [
      { topic: "orders", partition: 0, replicas: [1] },
      { topic: "orders", partition: 1, replicas: [2] },
      { topic: "__consumer_offsets", partition: 0, replicas: [1, 3] },
    ];
    const [problem] = replicasOnRemovedBrokers(partitions, 3, 1);
    assert.equal(problem!.key, "brokers");
    assert.match(
      problem!.allowed,
      /from 3 to 1 brokers .* orders-1 \(on broker 2\), __consumer_offsets-0 \(on broker 3\): move them to broker 1 first/,
    );
    assert.deepEqual(replicasOnRemovedBrokers(partitions.slice(0, 1), 3, 1), []);
  });
});
