// A schema registry: one node on the lab network that serves the Confluent Schema Registry REST API and keeps its
// schemas in a topic of the lab's brokers, published on bindAddress; the schemas declared in config are registered
// once it is healthy. Two flavours, each with its image's environment contract: Confluent's Schema Registry
// (cp-schema-registry 7.9, the _schemas topic) or Apicurio Registry 3.x (KafkaSQL storage, its Confluent-compatible
// API under /apis/ccompat/v7).

import { booleanKey, heapKey, jsonKey, oneOfKey, portKey, stringKey, isValidImageReference } from "../keys/keys.js";
import type { Fail, KeySet } from "../keys/keys.js";
import { parseSchemaSpecs } from "../schemas.js";
import type { ContainerSpec, Healthcheck, SetupStep } from "../specs.js";
import { broker, type BrokerExports } from "./broker.js";
import {
  CONFLUENT_PLATFORM,
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

const KEY = "schema-registry";

export type RegistryFlavour = "confluent" | "apicurio";
export const REGISTRY_FLAVOURS: readonly RegistryFlavour[] = ["confluent", "apicurio"];

/** What differs between the flavours: the image's contract, where the Confluent-compatible API is, its health. */
interface Flavour {
  image: string;
  /** The API's port inside the container. */
  port: number;
  /** The Confluent Schema Registry API's base path. */
  apiPath: string;
  /** Answers 200 once the registry has read its topic and serves. */
  healthPath: string;
  env(heapMb: number, brokers: BrokerExports): Record<string, string>;
}

export const FLAVOURS: Record<RegistryFlavour, Flavour> = {
  confluent: {
    image: `confluentinc/cp-schema-registry:${CONFLUENT_PLATFORM}`,
    port: 8081,
    apiPath: "",
    healthPath: "/subjects",
    env: (heapMb, brokers) => ({
      SCHEMA_REGISTRY_HOST_NAME: KEY,
      SCHEMA_REGISTRY_LISTENERS: "http://0.0.0.0:8081",
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: brokers.insideAddresses.map((a) => `PLAINTEXT://${a}`).join(","),
      SCHEMA_REGISTRY_KAFKASTORE_TOPIC: "_schemas",
      SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR: String(brokers.internalReplicationFactor),
      SCHEMA_REGISTRY_HEAP_OPTS: heapOpts(heapMb),
    }),
  },
  apicurio: {
    image: "apicurio/apicurio-registry:3.0.9",
    port: 8080,
    apiPath: "/apis/ccompat/v7",
    // /subjects answers before the KafkaSQL journal is read back; /health/ready only once it is.
    healthPath: "/health/ready",
    env: (heapMb, brokers) => ({
      APICURIO_STORAGE_KIND: "kafkasql",
      APICURIO_KAFKASQL_BOOTSTRAP_SERVERS: brokers.insideAddresses.join(","),
      // The journal holds every schema: without this it would have the broker's 7-day retention.
      APICURIO_KAFKASQL_TOPIC_RETENTION_MS: "-1",
      // Confluent's default; Apicurio's own is no rule at all, which registers any change.
      APICURIO_RULES_GLOBAL_COMPATIBILITY: "BACKWARD",
      QUARKUS_HTTP_PORT: "8080",
      JAVA_OPTS_APPEND: heapOpts(heapMb),
    }),
  },
};

export const schemaRegistryKeys = {
  schemaRegistry: booleanKey({
    default: false,
    description: "Run a schema registry (the Confluent Schema Registry REST API) on the lab network.",
  }),
  schemaRegistryFlavour: oneOfKey<RegistryFlavour>({
    default: "confluent",
    allowed: REGISTRY_FLAVOURS,
    description:
      "Which registry: confluent (Confluent Schema Registry) or apicurio (Apicurio Registry 3.x, KafkaSQL storage).",
    details:
      "Both serve the Confluent API at `schemaRegistryUrl`; each has its own image contract (see [Images](images.md)).",
  }),
  schemaRegistryImage: stringKey({
    default: "",
    description: `Schema registry image; empty: the flavour's (${FLAVOURS.confluent.image} or ${FLAVOURS.apicurio.image}).`,
    details: "It must honour the flavour's environment contract (see [Images](images.md)).",
    check: (text) =>
      text === "" || isValidImageReference(text)
        ? undefined
        : "must be empty (the flavour's image) or a Docker image reference such as apicurio/apicurio-registry:3.0.9",
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

type RegistryContext = ServiceContext<typeof schemaRegistryKeys>;

function registryRules(config: ConfigOf<typeof schemaRegistryKeys>, fail: Fail): void {
  if (config.schemas.length > 0 && !config.schemaRegistry) {
    fail(
      "schemas",
      config.schemas.map((s) => s.subject).join(", "),
      "need schemaRegistry: true (a registry to hold them)",
    );
  }
}

const flavourOf = (ctx: RegistryContext) => FLAVOURS[ctx.config.schemaRegistryFlavour];

function registryHealthcheck(flavour: Flavour): Healthcheck {
  return bashHealthcheck(httpProbe(flavour.port, flavour.healthPath), { timeoutSeconds: 6 });
}

function registryContainer(ctx: RegistryContext, brokers: Built<BrokerExports>): ContainerSpec {
  const { config } = ctx;
  const flavour = flavourOf(ctx);
  return {
    ...nodeIdentity(ctx, "schema-registry", KEY, KEY),
    image: config.schemaRegistryImage || flavour.image,
    env: flavour.env(config.schemaRegistryHeap, brokers.exports),
    ports: [
      {
        internal: flavour.port,
        external: config.schemaRegistryPort,
        ip: config.bindAddress,
        key: "schemaRegistryPort",
        what: "the schema registry's port",
      },
    ],
    dataDirs: [],
    healthcheck: registryHealthcheck(flavour),
    dependsOn: keysOf(brokers.containers),
    memoryMb: memoryLimitMb(config.schemaRegistryHeap),
    stopGraceSeconds: 10,
  };
}

/** The Confluent-compatible API from this machine and on the lab network, in either flavour. */
const urlsOf = (ctx: RegistryContext, node: ContainerSpec | undefined) =>
  httpUrls(ctx, node, ctx.config.schemaRegistryPort, flavourOf(ctx).port, flavourOf(ctx).apiPath);

const out = outputsOf<undefined, typeof schemaRegistryKeys>();
const registryOutputs = {
  schemaRegistryUrl: out.string(
    "the schema registry's Confluent-compatible API from your machine (empty without `schemaRegistry`)",
    (ctx, built) => urlsOf(ctx, built?.containers[0]).host,
  ),
  internalSchemaRegistryUrl: out.string(
    "the same API on the lab network",
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
