// Kafka Connect: one distributed-mode worker on the lab network (cp-kafka-connect 7.9 environment contract), its
// REST API published on bindAddress, and the connectors declared in config, made through that API once it is
// healthy. Its internal topics get the brokers' internal replication, so one broker is enough.

import { booleanKey, heapKey, imageKey, jsonKey, portKey, type Fail, type KeySet } from "../keys/keys.js";
import { parseConnectorSpecs } from "../connectors.js";
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

export const connectKeys = {
  connect: booleanKey({
    default: false,
    description: "Run a Kafka Connect worker (distributed mode, JSON converters) on the lab network.",
    details: "See [Kafka Connect and a schema registry](connect-and-registry.md).",
  }),
  connectImage: imageKey({
    default: `confluentinc/cp-kafka-connect:${CONFLUENT_PLATFORM}`,
    description: "Kafka Connect image; must honour the cp-kafka-connect environment contract (see docs/images.md).",
  }),
  connectPort: portKey({
    hostPorts: { conventional: 8083, span: 1, blockOffset: 21 },
    description: "Host port of Connect's REST API (on bindAddress).",
  }),
  connectHeap: heapKey({
    default: "256m",
    description: "JVM heap of the Connect worker, such as 256m.",
    details: "Its memory limit follows the same rule as the brokers'.",
  }),
  connectors: jsonKey({
    shape: "array",
    default: [],
    example: '[{"name": "file-source", "class": "FileStreamSource", "config": {}}]',
    description:
      "Connectors as {name, class, config}: created on pulumi up, updated in place when their config changes, deleted when removed.",
    build: (items, ctx) => {
      const { connectors, problems } = parseConnectorSpecs(items);
      for (const problem of problems) ctx.fail(problem.allowed, problem.value);
      return connectors;
    },
  }),
} as const satisfies KeySet;

function connectRules(config: ConfigOf<typeof connectKeys>, fail: Fail): void {
  if (config.connectors.length > 0 && !config.connect) {
    fail(
      "connectors",
      config.connectors.map((c) => c.name).join(", "),
      "need connect: true (a Connect worker to run them)",
    );
  }
}

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

function connectEnv(ctx: ServiceContext<typeof connectKeys>, kafka: BrokerExports): Record<string, string> {
  const replicationFactor = kafka.internalReplicationFactor;
  return {
    CONNECT_BOOTSTRAP_SERVERS: kafka.insideAddresses.join(","),
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
    KAFKA_HEAP_OPTS: heapOpts(ctx.config.connectHeap),
  };
}

function connectContainer(ctx: ServiceContext<typeof connectKeys>, brokers: Built<BrokerExports>): ContainerSpec {
  return {
    ...nodeIdentity(ctx, "connect", KEY, KEY),
    image: ctx.config.connectImage,
    env: connectEnv(ctx, brokers.exports),
    ports: [
      {
        internal: CONNECT_REST_PORT,
        external: ctx.config.connectPort,
        ip: ctx.config.bindAddress,
        key: "connectPort",
        what: "Connect's REST port",
      },
    ],
    dataDirs: [],
    healthcheck: connectHealthcheck(),
    dependsOn: keysOf(brokers.containers),
    memoryMb: memoryLimitMb(ctx.config.connectHeap),
    stopGraceSeconds: 20,
  };
}

const urlsOf = (ctx: ServiceContext<typeof connectKeys>, node: ContainerSpec | undefined) =>
  httpUrls(ctx, node, ctx.config.connectPort, CONNECT_REST_PORT);

const out = outputsOf<undefined, typeof connectKeys>();
const connectOutputs = {
  connectUrl: out.string(
    "Kafka Connect's REST API from your machine (empty without `connect`)",
    (ctx, built) => urlsOf(ctx, built?.containers[0]).host,
  ),
  internalConnectUrl: out.string(
    "Kafka Connect's REST API on the lab network",
    (ctx, built) => urlsOf(ctx, built?.containers[0]).internal,
  ),
  connectors: out.list("the connectors, RUNNING when `pulumi up` returns", (ctx, built) =>
    built ? ctx.config.connectors.map((c) => c.name) : [],
  ),
};

export const connect: Service<typeof connectKeys, undefined, typeof connectOutputs> = {
  name: "connect",
  keys: connectKeys,
  needs: [broker],
  outputs: connectOutputs,
  enabled: (config) => config.connect,
  rules: connectRules,
  build(ctx) {
    const container = connectContainer(ctx, ctx.of(broker)!);
    const url = urlsOf(ctx, container).host;
    const setup = ctx.config.connectors.map((connector): SetupStep => ({
      kind: "connector",
      key: `connector-${connector.name}`,
      after: [container.key],
      url,
      connector,
    }));
    return { containers: [container], setup, exports: undefined };
  },
};
