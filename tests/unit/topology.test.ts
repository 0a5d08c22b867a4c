import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RawConfig } from "../../infra/model/config.js";
import { parseLabConfig } from "../../infra/model/checks.js";
import { buildTopology, labNameOf, outputText } from "../../infra/model/topology.js";
import { KAFKA_HEALTH_PROBE } from "../../infra/model/services/broker.js";
import { dockerVolumes, volumesOf } from "../../infra/docker/volumes.js";

const identity = { project: "kafka-lab", stack: "dev" };
const topologyOf = (raw: RawConfig = {}) => buildTopology(parseLabConfig(raw), identity);

describe("the tutorial's lab (defaults)", () => {
  const topology = topologyOf();
  const [zookeeper, kafka] = topology.containers;

  it("has one ZooKeeper then one broker, named after project and stack", () => {
    assert.equal(topology.labName, "kafka-lab-dev");
    assert.deepEqual(
      topology.containers.map((c) => c.name),
      ["kafka-lab-dev-zookeeper-1", "kafka-lab-dev-kafka-1"],
    );
    assert.equal(topology.network.name, "kafka-lab-dev-network");
    assert.deepEqual(zookeeper!.aliases, ["zookeeper", "zookeeper-1"]);
    assert.deepEqual(kafka!.aliases, ["kafka", "kafka-1"]);
    assert.deepEqual(kafka!.dependsOn, ["zookeeper-1"]);
  });

  it("declares both listeners exactly as the tutorial does", () => {
    assert.deepEqual(kafka!.env, {
      KAFKA_BROKER_ID: "1",
      KAFKA_ZOOKEEPER_CONNECT: "zookeeper:2181",
      KAFKA_ZOOKEEPER_SESSION_TIMEOUT_MS: "6000",
      KAFKA_CONTROLLED_SHUTDOWN_RETRY_BACKOFF_MS: "500",
      KAFKA_LISTENERS: "INSIDE://0.0.0.0:9093,OUTSIDE://0.0.0.0:9092",
      KAFKA_ADVERTISED_LISTENERS: "INSIDE://kafka:9093,OUTSIDE://localhost:9092",
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "INSIDE:PLAINTEXT,OUTSIDE:PLAINTEXT",
      KAFKA_INTER_BROKER_LISTENER_NAME: "INSIDE",
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: "1",
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
      KAFKA_DEFAULT_REPLICATION_FACTOR: "1",
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
      KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE: "16777216",
      KAFKA_HEAP_OPTS: "-Xms256m -Xmx256m",
    });
  });

  it("publishes only the OUTSIDE port, on loopback; ZooKeeper stays unpublished", () => {
    assert.deepEqual(kafka!.ports, [
      { internal: 9092, external: 9092, ip: "127.0.0.1", key: "outsidePort", what: "the brokers' OUTSIDE ports" },
    ]);
    assert.deepEqual(zookeeper!.ports, []);
  });

  it("configures ZooKeeper through the cp-zookeeper contract with a small heap", () => {
    assert.deepEqual(zookeeper!.env, {
      ZOOKEEPER_CLIENT_PORT: "2181",
      ZOOKEEPER_TICK_TIME: "2000",
      KAFKA_HEAP_OPTS: "-Xms128m -Xmx128m",
      KAFKA_OPTS: "-Dzookeeper.admin.enableServer=false",
    });
  });

  it("mounts only the stack's own named volumes, never the Docker socket or a host folder", () => {
    assert.deepEqual(
      topology.containers.map((c) => c.dataDirs),
      [
        [
          { name: "data", path: "/var/lib/zookeeper/data" },
          { name: "log", path: "/var/lib/zookeeper/log" },
        ],
        [{ name: "data", path: "/var/lib/kafka/data" }],
      ],
    );
    assert.deepEqual(
      dockerVolumes(topology).map((v) => [v.name, v.keep, v.labels["org.kafka-lab.lab"], v.containerPath]),
      [
        ["kafka-lab-dev-zookeeper-1-data", false, "kafka-lab-dev", "/var/lib/zookeeper/data"],
        ["kafka-lab-dev-zookeeper-1-log", false, "kafka-lab-dev", "/var/lib/zookeeper/log"],
        ["kafka-lab-dev-kafka-1-data", false, "kafka-lab-dev", "/var/lib/kafka/data"],
      ],
    );
  });

  it("checks health with real protocol round trips", () => {
    assert.deepEqual(kafka!.healthcheck.test, ["CMD", "bash", "-c", KAFKA_HEALTH_PROBE]);
    assert.match(zookeeper!.healthcheck.test.join(" "), /srvr.*Mode/);
  });

  it("bounds memory to the heap and lets brokers stop cleanly", () => {
    assert.equal(kafka!.memoryMb, 768);
    assert.equal(zookeeper!.memoryMb, 512);
    assert.equal(kafka!.stopGraceSeconds, 30);
  });

  it("labels every resource with lab, project and stack", () => {
    for (const labels of [topology.network.labels, ...topology.containers.map((c) => c.labels)]) {
      assert.equal(labels["org.kafka-lab.lab"], "kafka-lab-dev");
      assert.equal(labels["org.kafka-lab.stack"], "dev");
      assert.equal(labels["org.kafka-lab.project"], "kafka-lab");
    }
  });

  it("gives outputs a client can use", () => {
    const values = Object.fromEntries(Object.entries(topology.outputs).map(([name, output]) => [name, output.value]));
    assert.deepEqual(values, {
      outsideAuth: "none",
      outsideUsername: "",
      bootstrapServers: "localhost:9092",
      internalBootstrapServers: "kafka:9093",
      zookeeperConnect: "zookeeper:2181",
      target: "docker",
      networkName: "kafka-lab-dev-network",
      namespace: "",
      kubeconfig: "",
      kubeContext: "",
      labPlan: JSON.stringify(topology.plan),
      dockerHost: "",
      topics: ["topic_test"],
      connectUrl: "",
      internalConnectUrl: "",
      connectors: [],
      schemaRegistryUrl: "",
      internalSchemaRegistryUrl: "",
      schemaSubjects: [],
      consoleImage: "sauljabin/kaskade:5.1.0",
    });
  });
});

describe("configured labs", () => {
  it("gives broker i its own INSIDE name and OUTSIDE port", () => {
    const topology = topologyOf({ brokers: "3", outsideHost: "lab.local", outsidePort: "29092" });
    const brokers = topology.containers.filter((c) => c.role === "broker");
    assert.deepEqual(
      brokers.map((b) => b.env.KAFKA_ADVERTISED_LISTENERS),
      [
        "INSIDE://kafka:9093,OUTSIDE://lab.local:29092",
        "INSIDE://kafka-2:9093,OUTSIDE://lab.local:29093",
        "INSIDE://kafka-3:9093,OUTSIDE://lab.local:29094",
      ],
    );
    assert.deepEqual(
      brokers.map((b) => b.ports[0]!.external),
      [29092, 29093, 29094],
    );
    assert.equal(topology.outputs.bootstrapServers.value, "lab.local:29092,lab.local:29093,lab.local:29094");
    assert.equal(outputText(topology, "internalBootstrapServers"), "kafka:9093,kafka-2:9093,kafka-3:9093");
    assert.equal(brokers[0]!.env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR, "3");
    assert.equal(brokers[0]!.env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR, "2");
  });

  it("forms a three-node ZooKeeper ensemble", () => {
    const topology = topologyOf({ zookeeperNodes: "3" });
    const zookeepers = topology.containers.filter((c) => c.role === "zookeeper");
    assert.deepEqual(
      zookeepers.map((z) => z.env.ZOOKEEPER_SERVER_ID),
      ["1", "2", "3"],
    );
    assert.equal(
      zookeepers[0]!.env.ZOOKEEPER_SERVERS,
      "zookeeper-1:2888:3888;zookeeper-2:2888:3888;zookeeper-3:2888:3888",
    );
    assert.equal(outputText(topology, "zookeeperConnect"), "zookeeper-1:2181,zookeeper-2:2181,zookeeper-3:2181");
    assert.deepEqual(topology.containers.find((c) => c.role === "broker")!.dependsOn, [
      "zookeeper-1",
      "zookeeper-2",
      "zookeeper-3",
    ]);
  });

  it("publishes ZooKeeper only when asked, on the bind address", () => {
    const topology = topologyOf({ publishZookeeper: "true", zookeeperPort: "12181", bindAddress: "0.0.0.0" });
    assert.deepEqual(topology.containers[0]!.ports, [
      { internal: 2181, external: 12181, ip: "0.0.0.0", key: "zookeeperPort", what: "ZooKeeper's ports" },
    ]);
    assert.equal(topology.containers[1]!.ports[0]!.ip, "0.0.0.0");
  });

  it("keeps two stacks apart", () => {
    const a = buildTopology(parseLabConfig({}), { project: "kafka-lab", stack: "dev" });
    const b = buildTopology(parseLabConfig({}), { project: "kafka-lab", stack: "Feature/X" });
    assert.equal(b.labName, "kafka-lab-feature-x");
    const names = (t: typeof a) => [t.network.name, ...t.containers.map((c) => c.name)];
    assert.equal(names(a).filter((n) => names(b).includes(n)).length, 0);
    assert.equal(labNameOf({ project: "p", stack: "--s" }), "p-s");
  });

  it("uses the configured images once each", () => {
    const topology = topologyOf({
      kafkaImage: "kafka-lab-local/kafka:3.9.2",
      zookeeperImage: "kafka-lab-local/zookeeper:3.8.4",
      keepImages: "false",
    });
    assert.deepEqual(topology.images, ["kafka-lab-local/zookeeper:3.8.4", "kafka-lab-local/kafka:3.9.2"]);
  });
});

describe("KRaft mode", () => {
  const topology = topologyOf({ mode: "kraft", brokers: "3" });
  const brokers = topology.containers;

  it("runs no ZooKeeper and uses the kraft image", () => {
    assert.deepEqual(
      brokers.map((c) => c.role),
      ["broker", "broker", "broker"],
    );
    assert.deepEqual(topology.images, ["apache/kafka:4.4.0"]);
    assert.equal(outputText(topology, "zookeeperConnect"), "");
    for (const b of brokers) assert.deepEqual(b.dependsOn, []);
  });

  it("makes the first three brokers combined controllers, on a controller port apart from INSIDE", () => {
    assert.deepEqual(
      brokers.map((b) => b.env.KAFKA_PROCESS_ROLES),
      ["broker,controller", "broker,controller", "broker,controller"],
    );
    assert.equal(brokers[0]!.env.KAFKA_CONTROLLER_QUORUM_VOTERS, "1@kafka:9094,2@kafka-2:9094,3@kafka-3:9094");
    assert.equal(
      brokers[0]!.env.KAFKA_LISTENERS,
      "INSIDE://0.0.0.0:9093,OUTSIDE://0.0.0.0:9092,CONTROLLER://0.0.0.0:9094",
    );
    assert.equal(brokers[1]!.env.KAFKA_ADVERTISED_LISTENERS, "INSIDE://kafka-2:9093,OUTSIDE://localhost:9093");
    assert.equal(brokers[0]!.env.KAFKA_CONTROLLER_LISTENER_NAMES, "CONTROLLER");
    assert.equal(brokers[0]!.env.KAFKA_LOG_DIRS, "/var/lib/kafka/data");
    assert.equal(brokers[0]!.env.KAFKA_ZOOKEEPER_CONNECT, undefined);
  });

  it("adds broker-only nodes past three and keeps one controller below three", () => {
    const five = topologyOf({ mode: "kraft", brokers: "5" }).containers;
    assert.deepEqual(
      five.map((b) => b.env.KAFKA_PROCESS_ROLES),
      ["broker,controller", "broker,controller", "broker,controller", "broker", "broker"],
    );
    assert.equal(five[4]!.env.KAFKA_LISTENERS, "INSIDE://0.0.0.0:9093,OUTSIDE://0.0.0.0:9092");
    const two = topologyOf({ mode: "kraft", brokers: "2" }).containers;
    assert.equal(two[1]!.env.KAFKA_CONTROLLER_QUORUM_VOTERS, "1@kafka:9094");
    const one = topologyOf({ mode: "kraft" }).containers;
    assert.equal(one[0]!.env.KAFKA_CONTROLLER_QUORUM_VOTERS, "1@kafka:9094");
    // Deleted before the controllers: a broker that outlives its quorum waits out its stop grace.
    assert.deepEqual(
      five.map((b) => b.dependsOn),
      [[], [], [], ["kafka-1", "kafka-2", "kafka-3"], ["kafka-1", "kafka-2", "kafka-3"]],
    );
    assert.deepEqual(two[1]!.dependsOn, ["kafka-1"]);
    // A KRaft broker left without a quorum waits for it: killed after 10 s, not 30 as in ZooKeeper mode.
    assert.deepEqual(
      five.map((b) => b.stopGraceSeconds),
      [10, 10, 10, 10, 10],
    );
  });

  it("keeps the cluster id stable per stack and distinct between stacks", () => {
    const id = brokers[0]!.env.CLUSTER_ID!;
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    assert.ok(brokers.every((b) => b.env.CLUSTER_ID === id));
    assert.equal(topologyOf({ mode: "kraft" }).containers[0]!.env.CLUSTER_ID, id);
    const other = buildTopology(parseLabConfig({ mode: "kraft" }), { project: "kafka-lab", stack: "other" });
    assert.notEqual(other.containers[0]!.env.CLUSTER_ID, id);
  });
});

describe("persistence", () => {
  it("gives each node its own named volume, labelled, removed on destroy unless kept", () => {
    const topology = topologyOf({ persistence: "true", zookeeperNodes: "3", brokers: "2" });
    assert.deepEqual(
      topology.containers.map((c) => volumesOf(topology, c).map((v) => `${v.name}:${v.containerPath}`)),
      [
        [
          "kafka-lab-dev-zookeeper-1-data:/var/lib/zookeeper/data",
          "kafka-lab-dev-zookeeper-1-log:/var/lib/zookeeper/log",
        ],
        [
          "kafka-lab-dev-zookeeper-2-data:/var/lib/zookeeper/data",
          "kafka-lab-dev-zookeeper-2-log:/var/lib/zookeeper/log",
        ],
        [
          "kafka-lab-dev-zookeeper-3-data:/var/lib/zookeeper/data",
          "kafka-lab-dev-zookeeper-3-log:/var/lib/zookeeper/log",
        ],
        ["kafka-lab-dev-kafka-1-data:/var/lib/kafka/data"],
        ["kafka-lab-dev-kafka-2-data:/var/lib/kafka/data"],
      ],
    );
    const volumes = dockerVolumes(topology);
    assert.equal(volumes.length, 8);
    assert.ok(volumes.every((v) => v.keep === false && v.labels["org.kafka-lab.lab"] === "kafka-lab-dev"));
    assert.ok(dockerVolumes(topologyOf({ persistence: "true", keepVolumes: "true" })).every((v) => v.keep));
    assert.deepEqual(dockerVolumes(topologyOf({ persistence: "false" })), []);
  });
});

describe("SCRAM on the OUTSIDE listener", () => {
  const password = "correct-horse-42";
  const topology = topologyOf({ outsideAuth: "scram-sha-256", outsidePassword: password, brokers: "2" });
  const broker = topology.containers.find((c) => c.role === "broker")!;

  it("switches OUTSIDE to SASL_PLAINTEXT with a login module and keeps INSIDE plain", () => {
    assert.equal(broker.env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP, "INSIDE:PLAINTEXT,OUTSIDE:SASL_PLAINTEXT");
    assert.equal(broker.env.KAFKA_LISTENER_NAME_OUTSIDE_SASL_ENABLED_MECHANISMS, "SCRAM-SHA-256");
    assert.equal(
      broker.env.KAFKA_LISTENER_NAME_OUTSIDE_SCRAM___SHA___256_SASL_JAAS_CONFIG,
      "org.apache.kafka.common.security.scram.ScramLoginModule required;",
    );
    assert.equal(broker.env.KAFKA_INTER_BROKER_LISTENER_NAME, "INSIDE");
    const kraft = topologyOf({ mode: "kraft", outsideAuth: "scram-sha-512", outsidePassword: password }).containers[0]!;
    assert.equal(
      kraft.env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP,
      "INSIDE:PLAINTEXT,OUTSIDE:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
    );
    assert.ok("KAFKA_LISTENER_NAME_OUTSIDE_SCRAM___SHA___512_SASL_JAAS_CONFIG" in kraft.env);
  });

  it("names the user to create and the outputs, never the password", () => {
    assert.deepEqual(
      topology.setup.find((s) => s.kind === "scram-user"),
      {
        kind: "scram-user",
        key: "scram-user",
        after: ["kafka-1", "kafka-2"],
        mechanism: "SCRAM-SHA-256",
        username: "lab",
        brokerContainer: "kafka-1",
        insideAddress: "localhost:9093",
      },
    );
    assert.equal(outputText(topology, "outsideAuth"), "scram-sha-256");
    assert.equal(outputText(topology, "outsideUsername"), "lab");
    assert.ok(!JSON.stringify(topology).includes(password), "the password must not appear in the topology");
  });

  it("leaves the listeners plain without authentication", () => {
    const plain = topologyOf().containers.find((c) => c.role === "broker")!;
    assert.equal(plain.env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP, "INSIDE:PLAINTEXT,OUTSIDE:PLAINTEXT");
    assert.equal(
      topologyOf().setup.find((s) => s.kind === "scram-user"),
      undefined,
    );
  });
});
