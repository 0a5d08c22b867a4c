// A schema registry: one node on the lab network serving the Confluent Schema Registry REST API (cp-schema-registry
// 7.9 environment contract), storing its schemas in the brokers' _schemas topic, published on bindAddress; the
// schemas declared in config are registered once it is healthy.

import { booleanKey, heapKey, imageKey, jsonKey, portKey, type Fail, type KeySet } from "../config/keys.js";
import { parseSchemaSpecs } from "../schemas.js";
import type { ContainerSpec, Healthcheck, SetupStep } from "../specs.js";
import { broker, type BrokerExports } from "./broker.js";
import {
  bashHealthcheck,
  heapOpts,
  httpProbe,
  httpUrls,
  keysOf,
  memoryLimitMb,
  nodeIdentity,
  outputsOf,
  type Built,
  type ConfigOf,
  type Service,
  type ServiceContext,
} from "./service.js";

export const SCHEMA_REGISTRY_PORT = 8081;
const KEY = "schema-registry";

export const schemaRegistryKeys = {
  schemaRegistry: booleanKey({
    default: false,
    description: "Run a schema registry (the Confluent Schema Registry REST API) on the lab network.",
  }),
  schemaRegistryImage: imageKey({
    default: "confluentinc/cp-schema-registry:7.9.1",
    description: "Schema registry image; must honour the cp-schema-registry environment contract (see README).",
  }),
  schemaRegistryPort: portKey({
    hostPorts: { conventional: 8081, span: 1, blockOffset: 31 },
    description: "Host port of the schema registry (on bindAddress).",
  }),
  schemaRegistryHeap: heapKey({ default: "128m", description: "JVM heap of the schema registry, such as 128m." }),
  schemas: jsonKey({
    shape: "object",
    default: {},
    example: '{"orders-value": "schemas/order.avsc"}',
    description:
      "Schemas as subject: file (.avsc Avro, .json JSON Schema, .proto Protobuf; paths from the project root), registered on pulumi up.",
    build: (declared, ctx) => {
      const { schemas, problems } = parseSchemaSpecs(declared, ctx.readFile);
      for (const problem of problems) ctx.fail(problem.allowed, problem.value);
      return schemas;
    },
  }),
} as const satisfies KeySet;

function registryRules(config: ConfigOf<typeof schemaRegistryKeys>, fail: Fail): void {
  if (config.schemas.length > 0 && !config.schemaRegistry) {
    fail(
      "schemas",
      config.schemas.map((s) => s.subject).join(", "),
      "need schemaRegistry: true (a registry to hold them)",
    );
  }
}

function registryHealthcheck(): Healthcheck {
  return bashHealthcheck(httpProbe(SCHEMA_REGISTRY_PORT, "/subjects"), { timeoutSeconds: 6 });
}

function registryContainer(
  ctx: ServiceContext<typeof schemaRegistryKeys>,
  brokers: Built<BrokerExports>,
): ContainerSpec {
  const { config } = ctx;
  return {
    ...nodeIdentity(ctx, "schema-registry", KEY, KEY),
    image: config.schemaRegistryImage,
    env: {
      SCHEMA_REGISTRY_HOST_NAME: KEY,
      SCHEMA_REGISTRY_LISTENERS: `http://0.0.0.0:${SCHEMA_REGISTRY_PORT}`,
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: brokers.exports.insideAddresses
        .map((address) => `PLAINTEXT://${address}`)
        .join(","),
      SCHEMA_REGISTRY_KAFKASTORE_TOPIC: "_schemas",
      SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR: String(brokers.exports.internalReplicationFactor),
      SCHEMA_REGISTRY_HEAP_OPTS: heapOpts(config.schemaRegistryHeap),
    },
    ports: [
      {
        internal: SCHEMA_REGISTRY_PORT,
        external: config.schemaRegistryPort,
        ip: config.bindAddress,
        key: "schemaRegistryPort",
        what: "the schema registry's port",
      },
    ],
    mounts: [],
    healthcheck: registryHealthcheck(),
    dependsOn: keysOf(brokers.containers),
    memoryMb: memoryLimitMb(config.schemaRegistryHeap),
    stopGraceSeconds: 10,
  };
}

const urlsOf = (ctx: ServiceContext<typeof schemaRegistryKeys>, node: ContainerSpec | undefined) =>
  httpUrls(ctx, node, ctx.config.schemaRegistryPort, SCHEMA_REGISTRY_PORT);

const out = outputsOf<undefined, typeof schemaRegistryKeys>();
const registryOutputs = {
  schemaRegistryUrl: out.string(
    "the schema registry from your machine (empty without `schemaRegistry`)",
    (ctx, built) => urlsOf(ctx, built?.containers[0]).host,
  ),
  internalSchemaRegistryUrl: out.string(
    "the schema registry on the lab network",
    (ctx, built) => urlsOf(ctx, built?.containers[0]).internal,
  ),
  schemaSubjects: out.list("the subjects registered when `pulumi up` returns", (ctx, built) =>
    built ? ctx.config.schemas.map((s) => s.subject) : [],
  ),
};

export const schemaRegistry: Service<typeof schemaRegistryKeys, undefined, typeof registryOutputs> = {
  name: "schema-registry",
  keys: schemaRegistryKeys,
  needs: [broker],
  outputs: registryOutputs,
  enabled: (config) => config.schemaRegistry,
  rules: registryRules,
  build(ctx) {
    const container = registryContainer(ctx, ctx.of(broker)!);
    const url = urlsOf(ctx, container).host;
    const setup = ctx.config.schemas.map((schema): SetupStep => ({
      kind: "schema",
      key: `schema-${schema.subject}`,
      after: [container.key],
      url,
      schema,
    }));
    return { containers: [container], setup, exports: undefined };
  },
};
