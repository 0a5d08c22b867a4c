// Kafka Connect and the schema registry as config and topology: what is refused before anything exists (each
// problem naming its key), the containers they become, the setup steps that make connectors and register schemas,
// and the outputs.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, type RawConfig } from "../../infra/model/config.js";
import { parseLabConfig } from "../../infra/model/checks.js";
import { buildTopology, outputText } from "../../infra/model/topology.js";

const files: Record<string, string> = {
  "schemas/counter.avsc": JSON.stringify({
    type: "record",
    name: "Counter",
    fields: [{ name: "counter", type: "long" }],
  }),
  "schemas/broken.avsc": '{ "type": "record", ',
  "schemas/order.json": JSON.stringify({ type: "object", properties: { id: { type: "string" } } }),
  "schemas/order.proto": 'syntax = "proto3"; message Order { string id = 1; }',
};
const readFile = (path: string) => files[path];
const connector = {
  name: "lines-in",
  class: "FileStreamSource",
  config: { file: "/tmp/in.txt", topic: "topic_test", "tasks.max": 1 },
};
const connectRaw: RawConfig = { connect: "true", connectors: JSON.stringify([connector]) };
const registryRaw: RawConfig = {
  schemaRegistry: "true",
  schemas: JSON.stringify({ "counter-value": "schemas/counter.avsc" }),
};

function problems(raw: RawConfig): Array<{ key: string; allowed: string }> {
  try {
    parseLabConfig(raw, { readFile });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("Kafka Connect config", () => {
  it("reads connectors with string settings", () => {
    const config = parseLabConfig(connectRaw, { readFile });
    assert.deepEqual(config.connectors, [
      {
        name: "lines-in",
        class: "FileStreamSource",
        config: { file: "/tmp/in.txt", topic: "topic_test", "tasks.max": "1" },
      },
    ]);
  });

  it("refuses bad connectors, each naming kafka-lab:connectors and what is wrong", () => {
    const bad = [
      { name: "has space", class: "FileStreamSource" },
      { name: "c1", class: "not a class" },
      { name: "c2", class: "FileStreamSource", config: { topic: { nested: 1 } } },
      { name: "c3", class: "FileStreamSource", config: { "connector.class": "X" } },
      { name: "c4", class: "FileStreamSource", tasks: 2 },
      connector,
      connector,
    ];
    const found = problems({ connect: "true", connectors: JSON.stringify(bad) });
    assert.ok(found.every((p) => p.key === "connectors"));
    assert.deepEqual(
      found.map((p) => p.allowed.split(/[:;(]/)[0]!.trim()),
      [
        "name \"has space\" must be 1 to 100 letters, digits, '.', '_' or '-'",
        "class of c1 must be a Java class name such as FileStreamSource or org.apache.kafka.connect.file.FileStreamSourceConnector",
        "config topic of c2 must be a string, a number or true/false",
        "config of c3 must not set connector.class",
        "has tasks, which a connector does not take",
        "connector lines-in is declared twice",
      ],
    );
  });

  it("refuses connectors without connect, and a connectors value that is not a list", () => {
    assert.deepEqual(
      problems({ connectors: JSON.stringify([connector]) }).map((p) => p.key),
      ["connectors"],
    );
    assert.match(problems({ connect: "true", connectors: '{"a": 1}' })[0]!.allowed, /must be a list/);
  });

  it("refuses a Connect or registry port on another published port, naming both keys", () => {
    const clash = problems({ ...connectRaw, outsidePort: "9092", connectPort: "9092" });
    assert.deepEqual(
      clash.map((p) => p.key),
      ["connectPort"],
    );
    assert.match(clash[0]!.allowed, /overlaps the brokers' OUTSIDE ports 9092 \(kafka-lab:outsidePort\)/);
    const registry = problems({ ...connectRaw, ...registryRaw, connectPort: "8083", schemaRegistryPort: "8083" });
    assert.match(registry[0]!.allowed, /overlaps Connect's REST port 8083 \(kafka-lab:connectPort\)/);
    assert.deepEqual(
      problems({ outsidePort: "9092", connectPort: "9092" }),
      [],
      "an unused service's port clashes with nothing",
    );
    assert.deepEqual(problems({ ...connectRaw, connectPort: "9092" }), [], "a port left to the lab clashes with none");
  });
});

describe("schema registry config", () => {
  it("reads schemas with their type from the file's ending", () => {
    const config = parseLabConfig(
      {
        schemaRegistry: "true",
        schemas: JSON.stringify({
          "counter-value": "schemas/counter.avsc",
          orders: "schemas/order.json",
          "orders-proto": "schemas/order.proto",
        }),
      },
      { readFile },
    );
    assert.deepEqual(
      config.schemas.map((s) => [s.subject, s.schemaType, s.schema === files[s.file]]),
      [
        ["counter-value", "AVRO", true],
        ["orders", "JSON", true],
        ["orders-proto", "PROTOBUF", true],
      ],
    );
  });

  it("refuses a schema that does not parse, a missing file and an unknown ending, naming kafka-lab:schemas", () => {
    const found = problems({
      schemaRegistry: "true",
      schemas: JSON.stringify({ a: "schemas/broken.avsc", b: "schemas/none.avsc", c: "schemas/x.txt" }),
    });
    assert.ok(found.every((p) => p.key === "schemas"));
    assert.match(found[0]!.allowed, /schemas\/broken\.avsc \(subject a\) does not parse as JSON/);
    assert.match(found[1]!.allowed, /cannot read schemas\/none\.avsc \(subject b\)/);
    assert.match(found[2]!.allowed, /must end in \.avsc \(Avro\), \.json \(JSON Schema\) or \.proto \(Protobuf\)/);
  });

  it("refuses schemas without schemaRegistry", () => {
    assert.deepEqual(
      problems({ schemas: JSON.stringify({ "counter-value": "schemas/counter.avsc" }) }).map((p) => p.key),
      ["schemas"],
    );
  });
});

describe("Connect and registry topology", () => {
  const identity = { project: "kafka-lab", stack: "dev" };
  const topology = buildTopology(
    parseLabConfig({ ...connectRaw, ...registryRaw, brokers: "2", topics: '["t:1:1"]' }, { readFile }),
    identity,
  );
  const connect = topology.containers.find((c) => c.role === "connect")!;
  const registry = topology.containers.find((c) => c.role === "schema-registry")!;

  it("runs one worker on the lab network after the brokers, its REST API on bindAddress", () => {
    assert.equal(connect.name, "kafka-lab-dev-connect");
    assert.deepEqual(connect.aliases, ["connect"]);
    assert.deepEqual(connect.dependsOn, ["kafka-1", "kafka-2"]);
    assert.deepEqual(connect.ports, [
      { internal: 8083, external: 8083, ip: "127.0.0.1", key: "connectPort", what: "Connect's REST port" },
    ]);
    assert.equal(connect.env.CONNECT_BOOTSTRAP_SERVERS, "kafka:9093,kafka-2:9093");
    assert.equal(connect.env.CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR, "2");
    assert.equal(connect.env.CONNECT_VALUE_CONVERTER, "org.apache.kafka.connect.json.JsonConverter");
    assert.match(connect.env.CONNECT_PLUGIN_PATH!, /\/usr\/share\/filestream-connectors/);
    assert.equal(connect.env.KAFKA_HEAP_OPTS, "-Xms256m -Xmx256m");
    assert.equal(connect.memoryMb, 256 * 2 + 256);
    assert.deepEqual(connect.healthcheck.test.slice(0, 2), ["CMD", "bash"]);
    assert.match(connect.healthcheck.test[3]!, /GET \/health /);
  });

  it("runs the registry on the brokers' _schemas topic", () => {
    assert.deepEqual(registry.aliases, ["schema-registry"]);
    assert.equal(
      registry.env.SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS,
      "PLAINTEXT://kafka:9093,PLAINTEXT://kafka-2:9093",
    );
    assert.equal(registry.env.SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR, "2");
    assert.deepEqual(registry.ports, [
      {
        internal: 8081,
        external: 8081,
        ip: "127.0.0.1",
        key: "schemaRegistryPort",
        what: "the schema registry's port",
      },
    ]);
  });

  it("makes connectors and registers schemas once their service is healthy, through the published ports", () => {
    const steps = topology.setup.filter((s) => s.kind === "connector" || s.kind === "schema");
    assert.deepEqual(
      steps.map((s) => [s.key, s.after, "url" in s ? s.url : ""]),
      [
        ["connector-lines-in", ["connect"], "http://localhost:8083"],
        ["schema-counter-value", ["schema-registry"], "http://localhost:8081"],
      ],
    );
  });

  it("gives the services' URLs and what they hold as outputs, empty when they are off", () => {
    assert.equal(outputText(topology, "connectUrl"), "http://localhost:8083");
    assert.equal(outputText(topology, "internalSchemaRegistryUrl"), "http://schema-registry:8081");
    assert.deepEqual(topology.outputs.schemaSubjects!.value, ["counter-value"]);
    const plain = buildTopology(parseLabConfig({}), identity);
    assert.equal(outputText(plain, "connectUrl"), "");
    assert.deepEqual(plain.outputs.connectors!.value, []);
    assert.ok(!plain.containers.some((c) => c.role === "connect" || c.role === "schema-registry"));
  });
});

describe("registry flavours", () => {
  const identity = { project: "kafka-lab", stack: "dev" };
  const labOf = (raw: RawConfig) =>
    buildTopology(
      parseLabConfig({ ...registryRaw, brokers: "3", topics: '["t:1:1"]', ...raw }, { readFile }),
      identity,
    );

  it("runs Confluent's image with cp-schema-registry's contract by default", () => {
    const registry = labOf({}).containers.find((c) => c.role === "schema-registry")!;
    assert.equal(registry.image, "confluentinc/cp-schema-registry:7.9.11");
    assert.match(registry.healthcheck.test[3]!, /127\.0\.0\.1\/8081 .*GET \/subjects /);
  });

  it("runs Apicurio with KafkaSQL storage on the lab's brokers, BACKWARD like Confluent, the API under ccompat", () => {
    const topology = labOf({ schemaRegistryFlavour: "apicurio", schemaRegistryPort: "18081" });
    const registry = topology.containers.find((c) => c.role === "schema-registry")!;
    assert.equal(registry.image, "apicurio/apicurio-registry:3.0.9");
    assert.deepEqual(registry.env, {
      APICURIO_STORAGE_KIND: "kafkasql",
      APICURIO_KAFKASQL_BOOTSTRAP_SERVERS: "kafka:9093,kafka-2:9093,kafka-3:9093",
      APICURIO_KAFKASQL_TOPIC_RETENTION_MS: "-1",
      APICURIO_RULES_GLOBAL_COMPATIBILITY: "BACKWARD",
      QUARKUS_HTTP_PORT: "8080",
      JAVA_OPTS_APPEND: "-Xms128m -Xmx128m",
    });
    assert.match(registry.healthcheck.test[3]!, /127\.0\.0\.1\/8080 .*GET \/health\/ready /);
    assert.deepEqual(
      registry.ports.map((p) => [p.internal, p.external]),
      [[8080, 18081]],
    );
    assert.equal(outputText(topology, "schemaRegistryUrl"), "http://localhost:18081/apis/ccompat/v7");
    assert.equal(outputText(topology, "internalSchemaRegistryUrl"), "http://schema-registry:8080/apis/ccompat/v7");
    const schema = topology.setup.find((s) => s.kind === "schema")!;
    assert.equal("url" in schema && schema.url, "http://localhost:18081/apis/ccompat/v7");
  });

  it("takes an image of the user's for either flavour, and refuses a malformed one", () => {
    const registry = labOf({ schemaRegistryFlavour: "apicurio", schemaRegistryImage: "my/registry:1" }).containers.find(
      (c) => c.role === "schema-registry",
    )!;
    assert.equal(registry.image, "my/registry:1");
    assert.equal(problems({ ...registryRaw, schemaRegistryImage: "Bad Image" })[0]!.key, "schemaRegistryImage");
    assert.equal(problems({ ...registryRaw, schemaRegistryFlavour: "karapace" })[0]!.key, "schemaRegistryFlavour");
  });
});
