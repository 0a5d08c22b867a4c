// The Kafka brokers: 1 to 9, each with an INSIDE listener (kafka-i:9093, the lab network and inter-broker
// traffic) and an OUTSIDE listener (<outsideHost>:<outsidePort + i - 1>, the host). Zookeeper mode follows the
// cp-kafka 7.9 environment contract, kraft mode the apache/kafka one (brokers 1-3 are also the controllers).
// Once they are healthy: the SCRAM user, the topics, and consumer-group readiness.

import { createHash } from "node:crypto";
import {
  booleanKey,
  heapKey,
  imageKey,
  integerKey,
  oneOfKey,
  portKey,
  stringKey,
  stringListKey,
  type Fail,
  type KeySet,
} from "../keys/keys.js";
import { kafkaLineOf } from "../topic-configs.js";
import { parseTopicSpecs, topicProblemsOn } from "../topics.js";
import type { ContainerSpec, Healthcheck, KafkaAccess, SetupStep } from "../specs.js";
import {
  CONFLUENT_PLATFORM,
  bashHealthcheck,
  heapOpts,
  keysOf,
  memoryLimitMb,
  nodeIdentity,
  outputsOf,
  range,
  type LabIdentity,
  type Service,
  type ConfigOf,
  type ServiceContext,
} from "./service.js";
import { zookeeper } from "./zookeeper.js";

export type OutsideAuth = "none" | "scram-sha-256" | "scram-sha-512";
export const OUTSIDE_AUTHS: readonly OutsideAuth[] = ["none", "scram-sha-256", "scram-sha-512"];
export const MAX_BROKERS = 9;
export const DEFAULT_TOPICS = ["topic_test:1:1"];

/** How a user sets the SCRAM password: as a secret, in this machine's stack file (see lib/stack-files.ts). */
export const SET_PASSWORD =
  "npm run lab:secret -- outsidePassword (or pulumi config set --secret kafka-lab:outsidePassword)";

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;
// kafka-configs reads SCRAM credentials as [password=...,iterations=...]: no ',' '[' ']', and nothing a shell or
// a JAAS line would treat specially (quotes, '$', '`', '\\', whitespace).
const PASSWORD = /^[A-Za-z0-9!#%&()*+./:;<=>?@^_{|}~-]{8,128}$/;

export const brokerKeys = {
  brokers: integerKey({
    default: 1,
    min: 1,
    max: MAX_BROKERS,
    description: `Number of Kafka brokers, 1 to ${MAX_BROKERS}. Broker 1 is kafka:9093 on the lab network, broker i kafka-i:9093.`,
    details: "A lab grows and shrinks in place: see [Growing and shrinking a lab](growing-and-shrinking.md).",
  }),
  outsidePort: portKey({
    hostPorts: { conventional: 9092, span: MAX_BROKERS, blockOffset: 1 },
    description: "Host port of broker 1's OUTSIDE listener; broker i gets outsidePort + i - 1.",
  }),
  kafkaImage: imageKey({
    default: `confluentinc/cp-kafka:${CONFLUENT_PLATFORM}`,
    description: "Broker image in zookeeper mode; must honour the cp-kafka environment contract (see docs/images.md).",
  }),
  kraftImage: imageKey({
    default: "apache/kafka:4.4.0",
    description: "Broker image in kraft mode; must honour the apache/kafka environment contract (see docs/images.md).",
  }),
  kafkaHeap: heapKey({
    default: "256m",
    description: "JVM heap of each broker, such as 256m or 1g.",
    details: "From `64m` to `16g`; the container memory limit is twice the heap plus 256 MB.",
  }),
  topics: stringListKey({
    default: DEFAULT_TOPICS,
    example: '["topic_test:1:1"]',
    description: "Topics as name:partitions:replicationFactor[:key=value,key=value].",
    details:
      "For example `orders:6:3:min.insync.replicas=2,retention.ms=86400000`. The configs are checked against the " +
      "topic-config catalogue of the mode's Kafka (names, types, ranges, allowed values: see [Topics](topics.md#topic-configs)); a " +
      "list config takes the items that follow it, `cleanup.policy=compact,delete`.",
    build: (items, ctx) => {
      const { topics, problems } = parseTopicSpecs(items);
      for (const problem of problems) ctx.fail(problem.allowed, problem.value);
      return topics;
    },
  }),
  autoCreateTopics: booleanKey({
    default: false,
    description: "Let the brokers create topics on first use (off: only declared topics exist).",
    details: "Off, a typo in a topic name is an error instead of a new topic.",
  }),
  outsideAuth: oneOfKey<OutsideAuth>({
    default: "none",
    allowed: OUTSIDE_AUTHS,
    description:
      "Authentication on the OUTSIDE listener: none, scram-sha-256 or scram-sha-512 (INSIDE stays PLAINTEXT).",
    details: "See [Authentication](authentication.md).",
  }),
  outsideUsername: stringKey({
    default: "lab",
    description: "SCRAM user that host clients log in as when outsideAuth is on.",
    check: (text) => (USERNAME.test(text) ? undefined : "must be 1 to 64 letters, digits, '.', '_' or '-'"),
  }),
  outsidePassword: stringKey({
    default: "",
    secret: true,
    howToSet: SET_PASSWORD,
    description: `SCRAM password, a secret: ${SET_PASSWORD}.`,
    details:
      "8 to 128 characters. Required when `outsideAuth` is on; refused when stored in plain text. Not declared in " +
      "`Pulumi.yaml`, because Pulumi refuses every stack that leaves a declared secret unset.",
    check: (text) =>
      text === "" || PASSWORD.test(text)
        ? undefined
        : "must be 8 to 128 characters without spaces, quotes, '$', '`', '\\', ',', '[' or ']'",
  }),
} as const satisfies KeySet;

type BrokerConfig = ConfigOf<typeof brokerKeys>;
type BrokerContext = ServiceContext<typeof brokerKeys>;

/** The image of the other mode, a password SCRAM needs, and topics these brokers cannot hold or would refuse. */
function brokerRules(config: BrokerConfig, fail: Fail): void {
  if (config.mode === "kraft" && config.kafkaImage !== brokerKeys.kafkaImage.default) {
    fail("kafkaImage", config.kafkaImage, "is the zookeeper-mode broker image; in kraft mode set kraftImage instead");
  } else if (config.mode === "zookeeper" && config.kraftImage !== brokerKeys.kraftImage.default) {
    fail(
      "kraftImage",
      config.kraftImage,
      "is the kraft-mode broker image; in zookeeper mode set kafkaImage, or set mode to kraft",
    );
  }
  if (config.outsideAuth !== "none" && config.outsidePassword === "") {
    fail("outsidePassword", undefined, `is required when outsideAuth is ${config.outsideAuth}: ${SET_PASSWORD}`);
  }
  for (const problem of topicProblemsOn(config.topics, config.brokers, kafkaLineOf(config.mode)))
    fail("topics", problem.value, problem.allowed);
}

/** Ports inside the containers; only the host side is configurable. */
export const INSIDE_PORT = 9093;
export const OUTSIDE_PORT = 9092;
/** KRaft controller listener; not 9093, which the apache/kafka image uses for it by default but INSIDE uses here. */
export const CONTROLLER_PORT = 9094;
export const KAFKA_DATA_DIR = "/var/lib/kafka/data";

/**
 * Healthy means a client can use the broker: a raw Metadata v4 request (no JVM per probe) on INSIDE whose answer
 * lists at least one live broker; a broker that knows none yet is asked again, 0.2 s apart, within the interval.
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

/**
 * Broker 1 is `kafka` (the tutorial's INSIDE address) and broker i `kafka-i`, however many brokers there are, so a
 * lab that grows or shrinks keeps its brokers as they are.
 */
function brokerHost(id: number): string {
  return id === 1 ? "kafka" : brokerKey(id);
}

/** The container key (and resource name) of broker i. */
function brokerKey(id: number): string {
  return `kafka-${id}`;
}

export function brokerOutsidePort(config: BrokerConfig, id: number): number {
  return config.outsidePort + id - 1;
}

/**
 * Replication of the internal topics (consumer offsets, transaction state) of a lab made with this many brokers: as
 * high as the cluster allows, at most 3. The lab keeps it when it grows or shrinks (lab-plan.ts).
 */
export function internalReplication(brokers: number): { replicationFactor: number } {
  return { replicationFactor: Math.min(3, brokers) };
}

/** The in-sync replicas a write to an internal topic needs. */
function internalMinInsync(replicationFactor: number): number {
  return replicationFactor >= 3 ? 2 : 1;
}

/**
 * The SCRAM credential as kafka-configs reads it from --add-config-file (no brackets there, unlike --add-config): both
 * targets hand it to the tool in a file, so that the password is on no command line.
 */
export function scramCredential(mechanism: string, password: string): string {
  return `${mechanism}=iterations=8192,password=${password}\n`;
}

/** Kafka's name of the SCRAM mechanism (SCRAM-SHA-256), or undefined without authentication. */
export function scramMechanism(config: BrokerConfig): string | undefined {
  return config.outsideAuth === "none" ? undefined : config.outsideAuth.toUpperCase();
}

/** Properties both modes set on every broker (cp-kafka and apache/kafka name them the same way). */
function commonBrokerEnv(ctx: BrokerContext, hostname: string, id: number): Record<string, string> {
  const { config } = ctx;
  const replication = ctx.plan.internalReplicationFactor;
  return {
    KAFKA_ADVERTISED_LISTENERS: `INSIDE://${hostname}:${INSIDE_PORT},OUTSIDE://${config.outsideHost}:${brokerOutsidePort(config, id)}`,
    KAFKA_INTER_BROKER_LISTENER_NAME: "INSIDE",
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: String(replication),
    // The first consumer group makes the broker create __consumer_offsets, 50 partitions by default, and waits
    // until every one has a leader: 1 partition is plenty for a lab and its first group is served sooner.
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: "1",
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: String(replication),
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: String(internalMinInsync(replication)),
    KAFKA_DEFAULT_REPLICATION_FACTOR: String(replication),
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: String(config.autoCreateTopics),
    // A lab has one consumer at a time more often than not: do not hold the first rebalance back 3 s.
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
    // The log cleaner allocates its dedupe buffer on the heap at start: 128 MiB by default, half of a lab
    // broker's heap, for compaction a lab barely does. 16 MiB took a broker from 281 to 162 MiB RSS (bench/).
    KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE: String(16 * 1024 * 1024),
    KAFKA_HEAP_OPTS: heapOpts(config.kafkaHeap),
  };
}

/** Security protocols of the listeners: OUTSIDE carries SASL when authentication is on. */
function protocolMap(config: BrokerConfig, controller: boolean): string {
  const outside = scramMechanism(config) ? "SASL_PLAINTEXT" : "PLAINTEXT";
  return `INSIDE:PLAINTEXT,OUTSIDE:${outside}${controller ? ",CONTROLLER:PLAINTEXT" : ""}`;
}

/**
 * SCRAM on OUTSIDE. Credentials live in the cluster's metadata (created after start, see kafka-providers.cjs),
 * so the broker's JAAS line names only the login module: no password in any env var.
 */
function saslEnv(config: BrokerConfig): Record<string, string> {
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
  ctx: BrokerContext,
  hostname: string,
  id: number,
  zookeeperConnect: string,
): Record<string, string> {
  const { config } = ctx;
  return {
    KAFKA_BROKER_ID: String(id),
    KAFKA_ZOOKEEPER_CONNECT: zookeeperConnect,
    // 6 s instead of 18 s: a lab notices a killed broker sooner, and a broker re-created after a hard kill
    // waits less for the old registration to expire (until then it exits, and the restart policy retries).
    KAFKA_ZOOKEEPER_SESSION_TIMEOUT_MS: "6000",
    // A stopping broker retries moving its leaderships away (3 times, 5 s apart by default): when destroy stops them
    // all, the last one has nowhere to move them. 0.5 s apart, it gives up within 1.5 s; one broker stopped alone
    // still hands its leaderships over first.
    KAFKA_CONTROLLED_SHUTDOWN_RETRY_BACKOFF_MS: "500",
    KAFKA_LISTENERS: `INSIDE://0.0.0.0:${INSIDE_PORT},OUTSIDE://0.0.0.0:${OUTSIDE_PORT}`,
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: protocolMap(config, false),
    ...saslEnv(config),
    ...commonBrokerEnv(ctx, hostname, id),
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
function kraftBrokerEnv(ctx: BrokerContext, hostname: string, id: number): Record<string, string> {
  const { config } = ctx;
  const isController = id <= ctx.plan.controllers;
  const voters = range(ctx.plan.controllers)
    .map((n) => `${n}@${brokerHost(n)}:${CONTROLLER_PORT}`)
    .join(",");
  const listeners = [`INSIDE://0.0.0.0:${INSIDE_PORT}`, `OUTSIDE://0.0.0.0:${OUTSIDE_PORT}`];
  if (isController) listeners.push(`CONTROLLER://0.0.0.0:${CONTROLLER_PORT}`);
  return {
    CLUSTER_ID: clusterIdOf(ctx.identity),
    KAFKA_NODE_ID: String(id),
    KAFKA_PROCESS_ROLES: isController ? "broker,controller" : "broker",
    KAFKA_CONTROLLER_QUORUM_VOTERS: voters,
    KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
    KAFKA_LISTENERS: listeners.join(","),
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: protocolMap(config, true),
    ...saslEnv(config),
    KAFKA_LOG_DIRS: KAFKA_DATA_DIR,
    ...commonBrokerEnv(ctx, hostname, id),
  };
}

function brokerContainer(ctx: ServiceContext<typeof brokerKeys>, id: number): ContainerSpec {
  const { config } = ctx;
  const key = brokerKey(id);
  const hostname = brokerHost(id);
  const zookeepers = ctx.of(zookeeper);
  return {
    ...nodeIdentity(ctx, "broker", key, hostname),
    image: config.mode === "kraft" ? config.kraftImage : config.kafkaImage,
    env:
      config.mode === "kraft"
        ? kraftBrokerEnv(ctx, hostname, id)
        : zookeeperModeBrokerEnv(ctx, hostname, id, zookeepers?.exports.connect ?? ""),
    ports: [
      {
        internal: OUTSIDE_PORT,
        external: brokerOutsidePort(config, id),
        ip: config.bindAddress,
        key: "outsidePort",
        what: "the brokers' OUTSIDE ports",
      },
    ],
    dataDirs: [{ name: "data", path: KAFKA_DATA_DIR }],
    healthcheck: kafkaHealthcheck(),
    dependsOn: config.mode === "kraft" ? controllersBefore(ctx, id) : keysOf(zookeepers?.containers),
    // cp-kafka waits for ZooKeeper itself (cub zk-ready; the local image likewise) and a KRaft broker for its
    // controllers, so it starts beside them; it is deleted before them.
    waitsForDependencies: true,
    memoryMb: memoryLimitMb(config.kafkaHeap),
    stopGraceSeconds: config.mode === "kraft" ? KRAFT_STOP_GRACE_SECONDS : 30,
  };
}

/**
 * A KRaft broker's clean stop takes 1-6 s (5 s of them the last controller's Raft farewell). When destroy or a
 * replacement stops them all at once, one may still wait for the controllers' approval of its controlled shutdown
 * when the quorum has gone: it would wait 5 minutes, so it is killed. With 30 s of grace, 2 of 5 destroys of the
 * e2e's grown and shrunk KRaft lab took 30 s.
 */
const KRAFT_STOP_GRACE_SECONDS = 10;

/**
 * A broker-only KRaft node depends on the controllers, so destroy stops it first: stopped after them, its controlled
 * shutdown waits for a quorum that is gone until the stop grace runs out (30 s measured).
 */
function controllersBefore(ctx: BrokerContext, id: number): string[] {
  return id > ctx.plan.controllers ? range(ctx.plan.controllers).map(brokerKey) : [];
}

/** The SCRAM user first (everything after it logs in through OUTSIDE), then the topics, then readiness. */
function brokerSetup(ctx: ServiceContext<typeof brokerKeys>, own: ContainerSpec[], kafka: KafkaAccess): SetupStep[] {
  const mechanism = kafka.scramMechanism;
  const brokers = keysOf(own);
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
      insideAddress: `localhost:${INSIDE_PORT}`,
    });
  }
  for (const topic of ctx.config.topics)
    steps.push({ kind: "topic", key: `topic-${topic.name}`, after: loggedIn, kafka, topic });
  steps.push({ kind: "consumer-group-readiness", key: "consumer-group-readiness", after: loggedIn, kafka });
  return steps;
}

/** The OUTSIDE addresses of every broker: what host clients and the setup steps connect to. */
export function bootstrapServersOf(config: BrokerConfig): string {
  return range(config.brokers)
    .map((id) => `${config.outsideHost}:${brokerOutsidePort(config, id)}`)
    .join(",");
}

/** What the services that use Kafka read of the brokers. */
export interface BrokerExports {
  /** INSIDE addresses (host:port) on the lab network. */
  insideAddresses: string[];
  /** How setup steps and host clients reach Kafka (OUTSIDE). */
  kafka: KafkaAccess;
  /** The replication the services' internal topics get. */
  internalReplicationFactor: number;
}

const out = outputsOf<BrokerExports, typeof brokerKeys>();
const brokerOutputs = {
  bootstrapServers: out.string(
    "clients on your machine (OUTSIDE listener)",
    (_ctx, built) => built?.exports.kafka.bootstrapServers ?? "",
  ),
  internalBootstrapServers: out.string(
    "containers attached to the lab network (INSIDE listener)",
    (_ctx, built) => built?.exports.insideAddresses.join(",") ?? "",
  ),
  topics: out.list("the topics that exist when `pulumi up` returns", (ctx) => ctx.config.topics.map((t) => t.name)),
  outsideAuth: out.string(
    "how host clients log in on OUTSIDE: `none` or the SCRAM mechanism",
    (ctx) => ctx.config.outsideAuth,
  ),
  outsideUsername: out.string(
    "the SCRAM user (empty without authentication); the password is never an output",
    (ctx) => (ctx.config.outsideAuth === "none" ? "" : ctx.config.outsideUsername),
  ),
};

export const broker: Service<typeof brokerKeys, BrokerExports, typeof brokerOutputs> = {
  name: "broker",
  keys: brokerKeys,
  needs: [zookeeper],
  outputs: brokerOutputs,
  enabled: () => true,
  rules: brokerRules,
  build(ctx) {
    const containers = range(ctx.config.brokers).map((id) => brokerContainer(ctx, id));
    const kafka: KafkaAccess = {
      bootstrapServers: bootstrapServersOf(ctx.config),
      scramMechanism: scramMechanism(ctx.config),
      username: ctx.config.outsideUsername,
    };
    return {
      containers,
      setup: brokerSetup(ctx, containers, kafka),
      exports: {
        insideAddresses: containers.map((b) => `${b.hostname}:${INSIDE_PORT}`),
        kafka,
        internalReplicationFactor: ctx.plan.internalReplicationFactor,
      },
    };
  },
};
