// A schema registry: one node on the lab network serving the Confluent Schema Registry REST API (cp-schema-registry
// 7.9 environment contract), storing its schemas in the brokers' _schemas topic, published on bindAddress; the
// schemas declared in config are registered once it is healthy.

import type { ContainerSpec, Healthcheck, SetupStep } from "../specs.js";
import { insideAddressesOf, internalReplication } from "./broker.js";
import {
  bashHealthcheck,
  heapOpts,
  httpProbe,
  httpUrls,
  memoryLimitMb,
  nodeIdentity,
  type Service,
  type ServiceContext,
} from "./service.js";

export const SCHEMA_REGISTRY_PORT = 8081;
const KEY = "schema-registry";

function registryHealthcheck(): Healthcheck {
  return bashHealthcheck(httpProbe(SCHEMA_REGISTRY_PORT, "/subjects"), { timeoutSeconds: 6 });
}

function registryContainer(ctx: ServiceContext): ContainerSpec {
  const { config } = ctx;
  const brokers = ctx.containersOf("broker");
  return {
    ...nodeIdentity(ctx, "schema-registry", KEY, KEY),
    image: config.schemaRegistryImage,
    env: {
      SCHEMA_REGISTRY_HOST_NAME: KEY,
      SCHEMA_REGISTRY_LISTENERS: `http://0.0.0.0:${SCHEMA_REGISTRY_PORT}`,
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: insideAddressesOf(brokers)
        .map((address) => `PLAINTEXT://${address}`)
        .join(","),
      SCHEMA_REGISTRY_KAFKASTORE_TOPIC: "_schemas",
      SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR: String(
        internalReplication(config.brokers).replicationFactor,
      ),
      SCHEMA_REGISTRY_HEAP_OPTS: heapOpts(config.schemaRegistryHeapMb),
    },
    ports: [{ internal: SCHEMA_REGISTRY_PORT, external: config.schemaRegistryPort, ip: config.bindAddress }],
    mounts: [],
    healthcheck: registryHealthcheck(),
    dependsOn: brokers.map((b) => b.key),
    memoryMb: memoryLimitMb(config.schemaRegistryHeapMb),
    stopGraceSeconds: 10,
  };
}

const urlsOf = (ctx: ServiceContext, own: ContainerSpec[]) =>
  httpUrls(ctx, own, ctx.config.schemaRegistryPort, SCHEMA_REGISTRY_PORT);

export const schemaRegistry: Service = {
  name: "schema-registry",
  enabled: (config) => config.schemaRegistry,
  containers: (ctx) => [registryContainer(ctx)],
  setup: (ctx, own) =>
    ctx.config.schemas.map(
      (schema) =>
        ({
          kind: "schema",
          key: `schema-${schema.subject}`,
          after: own.map((c) => c.key),
          url: urlsOf(ctx, own).host,
          schema,
        }) satisfies SetupStep,
    ),
  outputs: (ctx, own) => ({
    schemaRegistryUrl: {
      value: urlsOf(ctx, own).host,
      description: "the schema registry from your machine (empty without `schemaRegistry`)",
    },
    internalSchemaRegistryUrl: {
      value: urlsOf(ctx, own).internal,
      description: "the schema registry on the lab network",
    },
    schemaSubjects: {
      value: own.length > 0 ? ctx.config.schemas.map((s) => s.subject) : [],
      description: "the subjects registered when `pulumi up` returns",
    },
  }),
};
