// The Kafka brokers: 1 to 9, each with an INSIDE listener (kafka-i:9093, the lab network and inter-broker
// traffic) and an OUTSIDE listener (<outsideHost>:<outsidePort + i - 1>, the host). Zookeeper mode follows the
// cp-kafka 7.9 environment contract, kraft mode the apache/kafka one (brokers 1-3 are also the controllers).
// Once they are healthy: the SCRAM user, the topics, and consumer-group readiness.

import { createHash } from "node:crypto";
import type { LabConfig } from "../config.js";
import type { ContainerSpec, Healthcheck, SetupStep } from "../specs.js";
import {
  bashHealthcheck,
  heapOpts,
  memoryLimitMb,
  nodeIdentity,
  range,
  volumesOf,
  type LabIdentity,
  type Service,
  type ServiceContext,
} from "./service.js";
import { zookeeperConnectOf } from "./zookeeper.js";

/** Ports inside the containers; only the host side is configurable. */
export const INSIDE_PORT = 9093;
export const OUTSIDE_PORT = 9092;
/** KRaft controller listener; not 9093, which the apache/kafka image uses for it by default but INSIDE uses here. */
export const CONTROLLER_PORT = 9094;
export const KAFKA_DATA_DIR = "/var/lib/kafka/data";

/**
 * Healthy means a client can use the broker: it answers a Metadata request and knows the cluster's live brokers.
 * Without starting a JVM per probe: a Metadata v4 request (api key 3, correlation id 1, client id "hc", no topics,
 * no auto-creation) on the INSIDE listener; the reply's first 16 bytes are size, correlation id, throttle time and
 * the number of live brokers, which must be 1 or more. A ZooKeeper-mode broker answers requests as soon as it has
 * registered, but it knows the cluster only once the controller has sent it the metadata; until then it answers
 * with no brokers and no controller, and kafkajs, given that answer, drops its connections to every broker missing
 * from it (in-flight admin calls fail with "Closed connection"). After a re-created broker, that wait lasted seconds:
 * the controller's JVM had cached the failed name lookup of the removed container (10 s negative DNS cache).
 * Metadata v4 is the oldest version Kafka 4.x still serves (KIP-896); 3.9 serves it too. A broker that answers with
 * no brokers is asked again, 0.2 s apart, for up to 2 s (the probe's interval): on a fresh lab its metadata follows
 * its first answers by 0.2-0.3 s, and such a broker should not wait a whole interval to be called healthy.
 */
export const KAFKA_HEALTH_PROBE =
  `for try in 1 2 3 4 5 6 7 8 9 10; do ` +
  `exec 3<>/dev/tcp/127.0.0.1/${INSIDE_PORT} || exit 1; ` +
  `printf '\\0\\0\\0\\x11\\0\\x03\\0\\x04\\0\\0\\0\\x01\\0\\x02hc\\0\\0\\0\\0\\0' >&3; ` +
  `r=$(timeout 3 head -c 16 <&3 | od -An -tx1 | tr -d ' \\n'); exec 3<&-; ` +
  `[[ \${#r} == 32 && $r == ????????00000001* ]] || exit 1; ` +
  `[[ \${r:24} != 00000000 ]] && exit 0; ` +
  `sleep 0.2; done; exit 1`;

function kafkaHealthcheck(): Healthcheck {
  return bashHealthcheck(KAFKA_HEALTH_PROBE);
}

function brokerHost(config: LabConfig, id: number): string {
  return config.brokers === 1 ? "kafka" : `kafka-${id}`;
}

export function brokerOutsidePort(config: LabConfig, id: number): number {
  return config.outsidePort + id - 1;
}

/** Replication of the internal topics (consumer offsets, transaction state): as high as the cluster allows, at most 3. */
export function internalReplication(brokers: number): { replicationFactor: number; minInsyncReplicas: number } {
  const replicationFactor = Math.min(3, brokers);
  return { replicationFactor, minInsyncReplicas: replicationFactor >= 3 ? 2 : 1 };
}

/** Kafka's name of the SCRAM mechanism (SCRAM-SHA-256), or undefined without authentication. */
export function scramMechanism(config: LabConfig): string | undefined {
  return config.outsideAuth === "none" ? undefined : config.outsideAuth.toUpperCase();
}

/** Properties both modes set on every broker (cp-kafka and apache/kafka name them the same way). */
function commonBrokerEnv(config: LabConfig, hostname: string, id: number): Record<string, string> {
  const internal = internalReplication(config.brokers);
  return {
    KAFKA_ADVERTISED_LISTENERS: `INSIDE://${hostname}:${INSIDE_PORT},OUTSIDE://${config.outsideHost}:${brokerOutsidePort(config, id)}`,
    KAFKA_INTER_BROKER_LISTENER_NAME: "INSIDE",
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: String(internal.replicationFactor),
    // The first consumer group makes the broker create __consumer_offsets, 50 partitions by default, and waits
    // until every one has a leader: 1 partition is plenty for a lab and its first group is served sooner.
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: "1",
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: String(internal.replicationFactor),
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: String(internal.minInsyncReplicas),
    KAFKA_DEFAULT_REPLICATION_FACTOR: String(internal.replicationFactor),
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: String(config.autoCreateTopics),
    // A lab has one consumer at a time more often than not: do not hold the first rebalance back 3 s.
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
    // The log cleaner allocates its dedupe buffer on the heap at start: 128 MiB by default, half of a lab
    // broker's heap, for compaction a lab barely does. 16 MiB took a broker from 281 to 162 MiB RSS (bench/).
    KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE: String(16 * 1024 * 1024),
    KAFKA_HEAP_OPTS: heapOpts(config.kafkaHeapMb),
  };
}

/** Security protocols of the listeners: OUTSIDE carries SASL when authentication is on. */
function protocolMap(config: LabConfig, controller: boolean): string {
  const outside = scramMechanism(config) ? "SASL_PLAINTEXT" : "PLAINTEXT";
  return `INSIDE:PLAINTEXT,OUTSIDE:${outside}${controller ? ",CONTROLLER:PLAINTEXT" : ""}`;
}

/**
 * SCRAM on OUTSIDE. Credentials live in the cluster's metadata (created after start, see kafka-providers.cjs),
 * so the broker's JAAS line names only the login module: no password in any env var.
 */
function saslEnv(config: LabConfig): Record<string, string> {
  const mechanism = scramMechanism(config);
  if (!mechanism) return {};
  const jaasKey = `KAFKA_LISTENER_NAME_OUTSIDE_${mechanism.replace(/-/g, "___")}_SASL_JAAS_CONFIG`;
  return {
    KAFKA_LISTENER_NAME_OUTSIDE_SASL_ENABLED_MECHANISMS: mechanism,
    [jaasKey]: "org.apache.kafka.common.security.scram.ScramLoginModule required;",
  };
}

/** ZooKeeper mode, cp-kafka 7.9 contract. */
function zookeeperModeBrokerEnv(
  config: LabConfig,
  hostname: string,
  id: number,
  zookeeperConnect: string,
): Record<string, string> {
  return {
    KAFKA_BROKER_ID: String(id),
    KAFKA_ZOOKEEPER_CONNECT: zookeeperConnect,
    // 6 s instead of 18 s: a lab notices a killed broker sooner, and a broker re-created after a hard kill
    // waits less for the old registration to expire (until then it exits, and the restart policy retries).
    KAFKA_ZOOKEEPER_SESSION_TIMEOUT_MS: "6000",
    // A stopping broker asks the controller to move its leaderships away, and retries while partitions remain:
    // 3 times, 5 s apart by default. When `pulumi destroy` stops every broker at once, the last one has nowhere
    // to move them and waited those 10-15 s (cluster destroy 16 s); 0.5 s apart, it gives up within 1.5 s. A
    // single broker stopped in a running cluster still hands its leaderships over first.
    KAFKA_CONTROLLED_SHUTDOWN_RETRY_BACKOFF_MS: "500",
    KAFKA_LISTENERS: `INSIDE://0.0.0.0:${INSIDE_PORT},OUTSIDE://0.0.0.0:${OUTSIDE_PORT}`,
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: protocolMap(config, false),
    ...saslEnv(config),
    ...commonBrokerEnv(config, hostname, id),
  };
}

/**
 * How many brokers are also KRaft controllers: 3 from three brokers on (a quorum that survives one
 * failure), else 1 (a quorum of 2 survives no failure and only adds a voter to wait for).
 */
export function controllerCount(brokers: number): number {
  return brokers >= 3 ? 3 : 1;
}

/**
 * A stable KRaft cluster id per project and stack (22 characters of base64url, as Kafka's own ids), so
 * persistent volumes keep matching the cluster across re-created containers.
 */
export function clusterIdOf({ project, stack }: LabIdentity): string {
  return createHash("sha256").update(`kafka-lab/${project}/${stack}`).digest().subarray(0, 16).toString("base64url");
}

/** KRaft mode, apache/kafka contract: env replaces server.properties entirely, so every needed key is here. */
function kraftBrokerEnv(config: LabConfig, hostname: string, id: number, clusterId: string): Record<string, string> {
  const isController = id <= controllerCount(config.brokers);
  const voters = range(controllerCount(config.brokers))
    .map((n) => `${n}@${brokerHost(config, n)}:${CONTROLLER_PORT}`)
    .join(",");
  const listeners = [`INSIDE://0.0.0.0:${INSIDE_PORT}`, `OUTSIDE://0.0.0.0:${OUTSIDE_PORT}`];
  if (isController) listeners.push(`CONTROLLER://0.0.0.0:${CONTROLLER_PORT}`);
  return {
    CLUSTER_ID: clusterId,
    KAFKA_NODE_ID: String(id),
    KAFKA_PROCESS_ROLES: isController ? "broker,controller" : "broker",
    KAFKA_CONTROLLER_QUORUM_VOTERS: voters,
    KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
    KAFKA_LISTENERS: listeners.join(","),
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: protocolMap(config, true),
    ...saslEnv(config),
    KAFKA_LOG_DIRS: KAFKA_DATA_DIR,
    ...commonBrokerEnv(config, hostname, id),
  };
}

function brokerContainer(ctx: ServiceContext, id: number): ContainerSpec {
  const { config } = ctx;
  const key = `kafka-${id}`;
  const hostname = brokerHost(config, id);
  const zookeepers = ctx.containersOf("zookeeper");
  return {
    ...nodeIdentity(ctx, "broker", key, hostname),
    image: config.mode === "kraft" ? config.kraftImage : config.kafkaImage,
    env:
      config.mode === "kraft"
        ? kraftBrokerEnv(config, hostname, id, clusterIdOf(ctx.identity))
        : zookeeperModeBrokerEnv(config, hostname, id, zookeeperConnectOf(zookeepers)),
    ports: [{ internal: OUTSIDE_PORT, external: brokerOutsidePort(config, id), ip: config.bindAddress }],
    mounts: volumesOf(ctx, key, { data: KAFKA_DATA_DIR }),
    healthcheck: kafkaHealthcheck(),
    dependsOn: zookeepers.map((z) => z.key),
    memoryMb: memoryLimitMb(config.kafkaHeapMb),
    stopGraceSeconds: 30,
  };
}

/** The SCRAM user first (everything after it logs in through OUTSIDE), then the topics, then readiness. */
function brokerSetup(ctx: ServiceContext, own: ContainerSpec[]): SetupStep[] {
  const mechanism = scramMechanism(ctx.config);
  const brokers = own.map((b) => b.key);
  const steps: SetupStep[] = [];
  const loggedIn = mechanism ? [...brokers, "scram-user"] : brokers;
  if (mechanism) {
    steps.push({
      kind: "scram-user",
      key: "scram-user",
      after: brokers,
      mechanism,
      username: ctx.config.outsideUsername,
      brokerContainer: own[0]!.key,
    });
  }
  for (const topic of ctx.config.topics)
    steps.push({ kind: "topic", key: `topic-${topic.name}`, after: loggedIn, topic });
  steps.push({ kind: "consumer-group-readiness", key: "consumer-group-readiness", after: loggedIn });
  return steps;
}

/** The brokers' INSIDE addresses (host:port) on the lab network, for the output and the services that use Kafka. */
export function insideAddressesOf(brokers: ContainerSpec[]): string[] {
  return brokers.map((b) => `${b.hostname}:${INSIDE_PORT}`);
}

export const broker: Service = {
  name: "broker",
  enabled: () => true,
  containers: (ctx) => range(ctx.config.brokers).map((id) => brokerContainer(ctx, id)),
  setup: brokerSetup,
  outputs: (ctx, own) => ({
    bootstrapServers: { value: ctx.kafka.bootstrapServers, description: "clients on your machine (OUTSIDE listener)" },
    internalBootstrapServers: {
      value: insideAddressesOf(own).join(","),
      description: "containers attached to the lab network (INSIDE listener)",
    },
    topics: {
      value: ctx.config.topics.map((t) => t.name),
      description: "the topics that exist when `pulumi up` returns",
    },
    outsideAuth: {
      value: ctx.config.outsideAuth,
      description: "how host clients log in on OUTSIDE: `none` or the SCRAM mechanism",
    },
    outsideUsername: {
      value: ctx.config.outsideAuth === "none" ? "" : ctx.config.outsideUsername,
      description: "the SCRAM user (empty without authentication); the password is never an output",
    },
  }),
};

/** The OUTSIDE addresses of every broker: what host clients and the setup steps connect to. */
export function bootstrapServersOf(config: LabConfig): string {
  return range(config.brokers)
    .map((id) => `${config.outsideHost}:${brokerOutsidePort(config, id)}`)
    .join(",");
}
