import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, type RawConfig } from "../../infra/model/config.js";
import { parseLabConfig } from "../../infra/model/checks.js";
import { buildTopology } from "../../infra/model/topology.js";

function refused(raw: RawConfig): ConfigError {
  try {
    parseLabConfig(raw);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`config ${JSON.stringify(raw)} was accepted`);
}

describe("parseLabConfig defaults", () => {
  it("gives the tutorial's lab when nothing is set", () => {
    const config = parseLabConfig({});
    assert.equal(config.mode, "zookeeper");
    assert.equal(config.brokers, 1);
    assert.equal(config.zookeeperNodes, 1);
    assert.equal(config.outsideHost, "localhost");
    assert.equal(config.outsidePort, 0, "left to the lab: chosen on its first pulumi up");
    assert.equal(
      buildTopology(config, { project: "kafka-lab", stack: "dev" }).outputs.bootstrapServers.value,
      "localhost:9092",
    );
    assert.equal(config.bindAddress, "127.0.0.1");
    assert.equal(config.publishZookeeper, false);
    assert.equal(config.kafkaHeap, 256);
    assert.equal(config.zookeeperHeap, 128);
    assert.deepEqual(config.topics, [{ name: "topic_test", partitions: 1, replicationFactor: 1, configs: {} }]);
  });

  it("reads values as Pulumi hands them over (strings, arrays as JSON)", () => {
    const config = parseLabConfig({
      brokers: "3",
      outsidePort: "19092",
      publishZookeeper: "true",
      kafkaHeap: "1g",
      topics: JSON.stringify(["orders:6:3:cleanup.policy=compact,min.insync.replicas=2", "events:1:1"]),
    });
    assert.equal(config.brokers, 3);
    assert.equal(config.outsidePort, 19092);
    assert.equal(config.publishZookeeper, true);
    assert.equal(config.kafkaHeap, 1024);
    assert.deepEqual(config.topics[0], {
      name: "orders",
      partitions: 6,
      replicationFactor: 3,
      configs: { "cleanup.policy": "compact", "min.insync.replicas": "2" },
    });
  });
});

describe("parseLabConfig refuses bad values, naming the key, the value and what is allowed", () => {
  const cases: Array<[string, RawConfig, string, RegExp]> = [
    ["brokers zero", { brokers: "0" }, "brokers", /whole number from 1 to 9/],
    ["brokers too many", { brokers: "10" }, "brokers", /from 1 to 9/],
    ["brokers not a number", { brokers: "three" }, "brokers", /whole number/],
    ["two ZooKeeper nodes", { zookeeperNodes: "2" }, "zookeeperNodes", /1 or 3/],
    ["unknown mode", { mode: "swarm" }, "mode", /one of: zookeeper/],
    ["port out of range", { outsidePort: "70000" }, "outsidePort", /1 to 65535, or 0/],
    ["ports run past 65535", { brokers: "3", outsidePort: "65534" }, "outsidePort", /past 65535/],
    [
      "ZooKeeper port overlaps broker ports",
      { brokers: "3", outsidePort: "9092", publishZookeeper: "true", zookeeperPort: "9093" },
      "zookeeperPort",
      /overlaps/,
    ],
    ["bind address is a name", { bindAddress: "localhost" }, "bindAddress", /IP address/],
    ["outside host with a space", { outsideHost: "my host" }, "outsideHost", /host name/],
    ["image with upper case", { kafkaImage: "Confluentinc/CP-Kafka:7.9.1" }, "kafkaImage", /image reference/],
    ["image with spaces", { zookeeperImage: "cp zookeeper" }, "zookeeperImage", /image reference/],
    ["heap without unit", { kafkaHeap: "256" }, "kafkaHeap", /size in m or g/],
    ["heap too small", { zookeeperHeap: "16m" }, "zookeeperHeap", /64m/],
    ["boolean typo", { publishZookeeper: "yes" }, "publishZookeeper", /true or false/],
    ["replication above brokers", { topics: JSON.stringify(["topic_test:1:3"]) }, "topics", /more than the 1 broker/],
    ["topic without counts", { topics: JSON.stringify(["topic_test"]) }, "topics", /name:partitions:replicationFactor/],
    ["zero partitions", { topics: JSON.stringify(["t:0:1"]) }, "topics", /partitions of t/],
    ["bad topic name", { topics: JSON.stringify(["bad/name:1:1"]) }, "topics", /letters, digits/],
    ["internal topic name", { topics: JSON.stringify(["__consumer_offsets:1:1"]) }, "topics", /internal/],
    ["colliding names", { topics: JSON.stringify(["a.b:1:1", "a_b:1:1"]) }, "topics", /collides/],
    [
      "min ISR above replication",
      { topics: JSON.stringify(["t:1:1:min.insync.replicas=2"]) },
      "topics",
      /min.insync.replicas=2/,
    ],
    ["malformed topic config", { topics: JSON.stringify(["t:1:1:retention"]) }, "topics", /key=value/],
    ["topics not a list", { topics: "topic_test:1:1" }, "topics", /list of strings/],
    ["unknown key", { broker: "1" }, "broker", /not a kafka-lab setting/],
    ["restart policy", { restartPolicy: "sometimes" }, "restartPolicy", /unless-stopped/],
    ["wait timeout", { waitTimeoutSeconds: "1" }, "waitTimeoutSeconds", /10 to 3600/],
  ];
  for (const [title, raw, key, allowed] of cases) {
    it(title, () => {
      const error = refused(raw);
      const problem = error.problems.find((p) => p.key === key);
      assert.ok(problem, `no problem reported for ${key}: ${error.message}`);
      assert.match(problem.allowed, allowed);
      assert.match(error.message, new RegExp(`kafka-lab:${key} = `));
      const value = Object.values(raw)[Object.keys(raw).indexOf(key)] ?? raw[key];
      if (value !== undefined && key !== "topics")
        assert.ok(error.message.includes(JSON.stringify(value)), error.message);
    });
  }

  it("lists every problem at once", () => {
    const error = refused({ brokers: "0", bindAddress: "anywhere", kafkaHeap: "lots" });
    assert.deepEqual(error.problems.map((p) => p.key).sort(), ["bindAddress", "brokers", "kafkaHeap"]);
    assert.match(error.message, /3 problems; nothing was created/);
  });
});

describe("mode combinations", () => {
  const cases: Array<[string, RawConfig, string, RegExp]> = [
    [
      "three ZooKeeper nodes in kraft mode",
      { mode: "kraft", zookeeperNodes: "3", brokers: "3" },
      "zookeeperNodes",
      /KRaft runs no ZooKeeper/,
    ],
    [
      "publishing ZooKeeper in kraft mode",
      { mode: "kraft", publishZookeeper: "true" },
      "publishZookeeper",
      /no ZooKeeper/,
    ],
    [
      "the zookeeper-mode image in kraft mode",
      { mode: "kraft", kafkaImage: "confluentinc/cp-kafka:7.9.2" },
      "kafkaImage",
      /set kraftImage/,
    ],
    ["the kraft image in zookeeper mode", { kraftImage: "apache/kafka:4.1.1" }, "kraftImage", /set kafkaImage/],
    [
      "keeping volumes without persistence",
      { persistence: "false", keepVolumes: "true" },
      "keepVolumes",
      /needs persistence/,
    ],
  ];
  for (const [title, raw, key, allowed] of cases) {
    it(`refuses ${title}`, () => {
      const problem = refused(raw).problems.find((p) => p.key === key);
      assert.ok(problem, `no problem reported for ${key}`);
      assert.match(problem.allowed, allowed);
    });
  }

  it("accepts a KRaft cluster with its own image", () => {
    const config = parseLabConfig({
      mode: "kraft",
      brokers: "3",
      kraftImage: "kafka-lab-local/kafka:4.2.0",
      topics: JSON.stringify(["t:3:3"]),
    });
    assert.equal(config.mode, "kraft");
    assert.equal(config.kraftImage, "kafka-lab-local/kafka:4.2.0");
  });
});

describe("authentication settings", () => {
  it("refuses SCRAM without a password, saying how to set it as a secret", () => {
    const problem = refused({ outsideAuth: "scram-sha-256" }).problems.find((p) => p.key === "outsidePassword");
    assert.ok(problem);
    assert.match(
      problem.allowed,
      /npm run lab:secret -- outsidePassword \(or pulumi config set --secret kafka-lab:outsidePassword\)/,
    );
  });

  it("refuses a password a shell or kafka-configs would mangle, without echoing it", () => {
    const error = refused({ outsideAuth: "scram-sha-256", outsidePassword: "has,comma and space" });
    assert.match(error.message, /kafka-lab:outsidePassword = \[secret\]: must be 8 to 128 characters/);
    assert.ok(!error.message.includes("has,comma"), "the password must not be printed");
  });

  it("refuses an unknown mechanism and a bad user name", () => {
    const error = refused({ outsideAuth: "plain", outsideUsername: "no spaces please" });
    assert.deepEqual(error.problems.map((p) => p.key).sort(), ["outsideAuth", "outsideUsername"]);
  });

  it("refuses a password the stack holds in plain text, saying how to set it as a secret, without echoing it", () => {
    let error: unknown;
    try {
      parseLabConfig(
        { outsideAuth: "scram-sha-256", outsidePassword: "plain-pass-123" },
        { plaintextKeys: ["outsidePassword", "outsideAuth"] },
      );
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(
      error.problems.map((p) => p.key),
      ["outsidePassword"],
    );
    assert.match(
      error.message,
      /kafka-lab:outsidePassword = \[secret\]: is stored in plain text; .*npm run lab:secret -- outsidePassword/,
    );
    assert.ok(!error.message.includes("plain-pass-123"), "the password must not be printed");
  });

  it("accepts a password that arrived as a secret", () => {
    const config = parseLabConfig(
      { outsideAuth: "scram-sha-256", outsidePassword: "secret-pass-123" },
      { plaintextKeys: ["outsideAuth"] },
    );
    assert.equal(config.outsidePassword, "secret-pass-123");
  });

  it("accepts SCRAM with a valid password", () => {
    const config = parseLabConfig({
      outsideAuth: "scram-sha-512",
      outsideUsername: "alice",
      outsidePassword: "s3cret-pass!",
    });
    assert.equal(config.outsideAuth, "scram-sha-512");
    assert.equal(config.outsidePassword, "s3cret-pass!");
  });
});
