// Kafka Connect: one distributed-mode worker on the lab network (cp-kafka-connect 7.9 environment contract), its
// REST API published on bindAddress, and the connectors declared in config, made through that API once it is
// healthy. Its internal topics get the brokers' internal replication, so one broker is enough.

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

export const CONNECT_REST_PORT = 8083;
const KEY = "connect";
const JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
/**
 * cp-kafka-connect's default plugin path, plus the folder where Confluent's images keep the FileStream connectors
 * (off Connect's default path since Kafka 3.2, KAFKA-13748).
 */
const PLUGIN_PATH = "/usr/share/java,/usr/share/confluent-hub-components,/usr/share/filestream-connectors";

/**
 * GET /health (Connect 3.9+, cp 7.9) answers 200 once the worker has joined its group and read its config topic, not
 * merely once the port is open. The worker takes 20 to 45 s to start (plugin scan, internal topics, group join).
 */
function connectHealthcheck(): Healthcheck {
  return bashHealthcheck(httpProbe(CONNECT_REST_PORT, "/health"), { intervalSeconds: 3, timeoutSeconds: 6 });
}

function connectEnv(ctx: ServiceContext, brokers: ContainerSpec[]): Record<string, string> {
  const { replicationFactor } = internalReplication(ctx.config.brokers);
  return {
    CONNECT_BOOTSTRAP_SERVERS: insideAddressesOf(brokers).join(","),
    CONNECT_GROUP_ID: "kafka-lab-connect",
    CONNECT_CONFIG_STORAGE_TOPIC: "_connect-configs",
    CONNECT_OFFSET_STORAGE_TOPIC: "_connect-offsets",
    CONNECT_STATUS_STORAGE_TOPIC: "_connect-status",
    CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR: String(replicationFactor),
    CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: String(replicationFactor),
    CONNECT_STATUS_STORAGE_REPLICATION_FACTOR: String(replicationFactor),
    CONNECT_KEY_CONVERTER: JSON_CONVERTER,
    CONNECT_VALUE_CONVERTER: JSON_CONVERTER,
    // Plain JSON in the topics, as the tutorial's producer writes it, not JSON wrapped in a schema envelope.
    CONNECT_KEY_CONVERTER_SCHEMAS_ENABLE: "false",
    CONNECT_VALUE_CONVERTER_SCHEMAS_ENABLE: "false",
    CONNECT_REST_ADVERTISED_HOST_NAME: KEY,
    CONNECT_REST_PORT: String(CONNECT_REST_PORT),
    CONNECT_PLUGIN_PATH: PLUGIN_PATH,
    // Source offsets are written every 10 s instead of 60 s: a lab restarts its worker more often than production.
    CONNECT_OFFSET_FLUSH_INTERVAL_MS: "10000",
    KAFKA_HEAP_OPTS: heapOpts(ctx.config.connectHeapMb),
  };
}

function connectContainer(ctx: ServiceContext): ContainerSpec {
  const brokers = ctx.containersOf("broker");
  return {
    ...nodeIdentity(ctx, "connect", KEY, KEY),
    image: ctx.config.connectImage,
    env: connectEnv(ctx, brokers),
    ports: [{ internal: CONNECT_REST_PORT, external: ctx.config.connectPort, ip: ctx.config.bindAddress }],
    mounts: [],
    healthcheck: connectHealthcheck(),
    dependsOn: brokers.map((b) => b.key),
    memoryMb: memoryLimitMb(ctx.config.connectHeapMb),
    stopGraceSeconds: 20,
  };
}

const urlsOf = (ctx: ServiceContext, own: ContainerSpec[]) =>
  httpUrls(ctx, own, ctx.config.connectPort, CONNECT_REST_PORT);

export const connect: Service = {
  name: "connect",
  enabled: (config) => config.connect,
  containers: (ctx) => [connectContainer(ctx)],
  setup: (ctx, own) =>
    ctx.config.connectors.map(
      (connector) =>
        ({
          kind: "connector",
          key: `connector-${connector.name}`,
          after: own.map((c) => c.key),
          url: urlsOf(ctx, own).host,
          connector,
        }) satisfies SetupStep,
    ),
  outputs: (ctx, own) => ({
    connectUrl: {
      value: urlsOf(ctx, own).host,
      description: "Kafka Connect's REST API from your machine (empty without `connect`)",
    },
    internalConnectUrl: {
      value: urlsOf(ctx, own).internal,
      description: "Kafka Connect's REST API on the lab network",
    },
    connectors: {
      value: own.length > 0 ? ctx.config.connectors.map((c) => c.name) : [],
      description: "the connectors, RUNNING when `pulumi up` returns",
    },
  }),
};
