// The lab's topology: which network, images and containers exist, with their names, host names, env,
// listeners, published ports and healthchecks. Pure: config in, plain objects out. The Pulumi component
// (kafka-lab.ts) and the end-to-end harness both realise exactly these objects.

import { createHash } from "node:crypto";
import type { LabConfig } from "./config.js";
import type { TopicSpec } from "./topics.js";

/** Ports inside the containers; only the host side is configurable. */
export const INSIDE_PORT = 9093;
export const OUTSIDE_PORT = 9092;
export const ZOOKEEPER_CLIENT_PORT = 2181;
export const ZOOKEEPER_PEER_PORT = 2888;
export const ZOOKEEPER_ELECTION_PORT = 3888;
/** KRaft controller listener; not 9093, which the apache/kafka image uses for it by default but INSIDE uses here. */
export const CONTROLLER_PORT = 9094;
export const KAFKA_DATA_DIR = "/var/lib/kafka/data";
export const ZOOKEEPER_DATA_DIR = "/var/lib/zookeeper/data";
export const ZOOKEEPER_LOG_DIR = "/var/lib/zookeeper/log";

export const LABEL_PREFIX = "org.kafka-lab";
export const LAB_LABEL = `${LABEL_PREFIX}.lab`;

export type Role = "zookeeper" | "broker";

export interface PublishedPort {
  /** Port inside the container. */
  internal: number;
  /** Port on the host. */
  external: number;
  /** Host interface the port binds to. */
  ip: string;
}

export interface Healthcheck {
  /** Docker healthcheck test, "CMD" form. */
  test: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds: number;
}

export interface VolumeMount {
  /** Named Docker volume. */
  volume: string;
  containerPath: string;
}

export interface VolumeSpec {
  name: string;
  labels: Record<string, string>;
  /** Keep the volume when the lab is destroyed. */
  keep: boolean;
}

export interface ContainerSpec {
  /** Logical name, unique in the lab: zookeeper-1, kafka-1. */
  key: string;
  role: Role;
  /** Docker container name, unique on the machine: <lab>-<key>. */
  name: string;
  hostname: string;
  /** Names other containers on the lab network use for it. */
  aliases: string[];
  image: string;
  env: Record<string, string>;
  ports: PublishedPort[];
  /** Named volumes (persistence only); nothing else is ever mounted, least of all the Docker socket. */
  mounts: VolumeMount[];
  healthcheck: Healthcheck;
  /** Keys of the containers that must be healthy before this one starts. */
  dependsOn: string[];
  memoryMb: number;
  /** Seconds Docker waits after SIGTERM before SIGKILL, so a broker can shut down cleanly. */
  stopGraceSeconds: number;
  restartPolicy: LabConfig["restartPolicy"];
  labels: Record<string, string>;
}

export interface NetworkSpec {
  name: string;
  labels: Record<string, string>;
}

export interface ImageSpec {
  name: string;
  keepLocally: boolean;
}

export interface LabOutputs {
  mode: LabConfig["mode"];
  /** OUTSIDE listener addresses for clients on the host. */
  bootstrapServers: string;
  /** INSIDE listener addresses for containers on the lab network. */
  internalBootstrapServers: string;
  /** SASL mechanism host clients use on OUTSIDE (kafkajs spelling, e.g. scram-sha-256), or "none". */
  outsideAuth: string;
  /** SCRAM user on OUTSIDE; empty without authentication. The password is never an output. */
  outsideUsername: string;
  /** ZooKeeper connect string on the lab network; empty in kraft mode. */
  zookeeperConnect: string;
  networkName: string;
  topics: string[];
}

export interface LabTopology {
  labName: string;
  labels: Record<string, string>;
  network: NetworkSpec;
  images: ImageSpec[];
  volumes: VolumeSpec[];
  containers: ContainerSpec[];
  topics: TopicSpec[];
  /** The SCRAM user to create once the brokers run (its password comes from config, not from here). */
  scramUser: { mechanism: string; username: string; brokerContainer: string } | undefined;
  outputs: LabOutputs;
  waitTimeoutSeconds: number;
}

export interface LabIdentity {
  project: string;
  stack: string;
}

/** Docker-safe lab name from project and stack, so two stacks never share a container or network name. */
export function labNameOf({ project, stack }: LabIdentity): string {
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-").replace(/^[^a-z0-9]+/, "");
  return `${safe(project)}-${safe(stack)}`;
}

/** The bash probe needs only bash and coreutils, which the cp-* images and our test images both have. */
function zookeeperHealthcheck(): Healthcheck {
  const probe = `exec 3<>/dev/tcp/127.0.0.1/${ZOOKEEPER_CLIENT_PORT} && printf srvr >&3 && timeout 3 grep -q '^Mode: ' <&3`;
  return { test: ["CMD", "bash", "-c", probe], intervalSeconds: 2, timeoutSeconds: 5, retries: 30, startPeriodSeconds: 0 };
}

/**
 * A real Kafka round trip without starting a JVM per probe: an ApiVersions v0 request (api key 18,
 * correlation id 1, client id "hc") on the INSIDE listener; healthy when the reply carries correlation
 * id 1 and error code 0 (the 10 bytes read are size, correlation id and error code: 20 hex digits). A broker
 * answers only once its request handlers run, after it has registered.
 */
export const KAFKA_HEALTH_PROBE =
  `exec 3<>/dev/tcp/127.0.0.1/${INSIDE_PORT} && printf '\\0\\0\\0\\x0c\\0\\x12\\0\\0\\0\\0\\0\\x01\\0\\x02hc' >&3 && ` +
  `timeout 3 head -c 10 <&3 | od -An -tx1 | tr -d ' \\n' | grep -q '^........000000010000'`;

function kafkaHealthcheck(): Healthcheck {
  return { test: ["CMD", "bash", "-c", KAFKA_HEALTH_PROBE], intervalSeconds: 2, timeoutSeconds: 5, retries: 60, startPeriodSeconds: 0 };
}

/** Container memory limit for a JVM heap: the heap plus room for metaspace, threads and buffers. */
export function memoryLimitMb(heapMb: number): number {
  return heapMb * 2 + 256;
}

function heapOpts(heapMb: number): string {
  return `-Xms${heapMb}m -Xmx${heapMb}m`;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

function zookeeperHost(config: LabConfig, id: number): string {
  return config.zookeeperNodes === 1 ? "zookeeper" : `zookeeper-${id}`;
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

/** Properties both modes set on every broker (cp-kafka and apache/kafka name them the same way). */
function commonBrokerEnv(config: LabConfig, hostname: string, id: number): Record<string, string> {
  const internal = internalReplication(config.brokers);
  return {
    KAFKA_ADVERTISED_LISTENERS: `INSIDE://${hostname}:${INSIDE_PORT},OUTSIDE://${config.outsideHost}:${brokerOutsidePort(config, id)}`,
    KAFKA_INTER_BROKER_LISTENER_NAME: "INSIDE",
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: String(internal.replicationFactor),
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

/** Kafka's name of the SCRAM mechanism (SCRAM-SHA-256), or undefined without authentication. */
export function scramMechanism(config: LabConfig): string | undefined {
  return config.outsideAuth === "none" ? undefined : config.outsideAuth.toUpperCase();
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
function zookeeperModeBrokerEnv(config: LabConfig, hostname: string, id: number, zookeeperConnect: string): Record<string, string> {
  return {
    KAFKA_BROKER_ID: String(id),
    KAFKA_ZOOKEEPER_CONNECT: zookeeperConnect,
    // 6 s instead of 18 s: a lab notices a killed broker sooner, and a broker re-created after a hard kill
    // waits less for the old registration to expire (until then it exits, and the restart policy retries).
    KAFKA_ZOOKEEPER_SESSION_TIMEOUT_MS: "6000",
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
  const voters = range(controllerCount(config.brokers)).map((n) => `${n}@${brokerHost(config, n)}:${CONTROLLER_PORT}`).join(",");
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

interface Context {
  config: LabConfig;
  lab: string;
  labels: Record<string, string>;
}

/** What every node shares: its names on the machine and the network, its labels, its restart policy. */
function nodeIdentity(ctx: Context, role: Role, key: string, hostname: string) {
  return {
    key,
    role,
    name: `${ctx.lab}-${key}`,
    hostname,
    aliases: hostname === key ? [hostname] : [hostname, key],
    restartPolicy: ctx.config.restartPolicy,
    labels: { ...ctx.labels, [`${LABEL_PREFIX}.role`]: role, [`${LABEL_PREFIX}.node`]: key },
  };
}

/** Named volumes of one node, when persistence is on. */
function volumesOf(ctx: Context, key: string, paths: Record<string, string>): VolumeMount[] {
  if (!ctx.config.persistence) return [];
  return Object.entries(paths).map(([suffix, containerPath]) => ({ volume: `${ctx.lab}-${key}-${suffix}`, containerPath }));
}

function zookeeperContainer(ctx: Context, id: number): ContainerSpec {
  const { config } = ctx;
  const key = `zookeeper-${id}`;
  const env: Record<string, string> = {
    ZOOKEEPER_CLIENT_PORT: String(ZOOKEEPER_CLIENT_PORT),
    ZOOKEEPER_TICK_TIME: "2000",
    KAFKA_HEAP_OPTS: heapOpts(config.zookeeperHeapMb),
    // The AdminServer (port 8080) is not needed by the lab; srvr, used by the healthcheck, is whitelisted by default.
    KAFKA_OPTS: "-Dzookeeper.admin.enableServer=false",
  };
  if (config.zookeeperNodes > 1) {
    env.ZOOKEEPER_SERVER_ID = String(id);
    env.ZOOKEEPER_INIT_LIMIT = "10";
    env.ZOOKEEPER_SYNC_LIMIT = "5";
    env.ZOOKEEPER_SERVERS = range(config.zookeeperNodes)
      .map((n) => `${zookeeperHost(config, n)}:${ZOOKEEPER_PEER_PORT}:${ZOOKEEPER_ELECTION_PORT}`)
      .join(";");
  }
  return {
    ...nodeIdentity(ctx, "zookeeper", key, zookeeperHost(config, id)),
    image: config.zookeeperImage,
    env,
    ports: config.publishZookeeper
      ? [{ internal: ZOOKEEPER_CLIENT_PORT, external: config.zookeeperPort + id - 1, ip: config.bindAddress }]
      : [],
    mounts: volumesOf(ctx, key, { data: ZOOKEEPER_DATA_DIR, log: ZOOKEEPER_LOG_DIR }),
    healthcheck: zookeeperHealthcheck(),
    dependsOn: [],
    memoryMb: memoryLimitMb(config.zookeeperHeapMb),
    stopGraceSeconds: 10,
  };
}

function brokerContainer(ctx: Context, id: number, env: Record<string, string>, dependsOn: string[]): ContainerSpec {
  const { config } = ctx;
  const key = `kafka-${id}`;
  return {
    ...nodeIdentity(ctx, "broker", key, brokerHost(config, id)),
    image: config.mode === "kraft" ? config.kraftImage : config.kafkaImage,
    env,
    ports: [{ internal: OUTSIDE_PORT, external: brokerOutsidePort(config, id), ip: config.bindAddress }],
    mounts: volumesOf(ctx, key, { data: KAFKA_DATA_DIR }),
    healthcheck: kafkaHealthcheck(),
    dependsOn,
    memoryMb: memoryLimitMb(config.kafkaHeapMb),
    stopGraceSeconds: 30,
  };
}

export function buildTopology(config: LabConfig, identity: LabIdentity): LabTopology {
  const labName = labNameOf(identity);
  const labels = {
    [LAB_LABEL]: labName,
    [`${LABEL_PREFIX}.project`]: identity.project,
    [`${LABEL_PREFIX}.stack`]: identity.stack,
  };
  const ctx: Context = { config, lab: labName, labels };
  const zookeepers = config.mode === "zookeeper" ? range(config.zookeeperNodes).map((id) => zookeeperContainer(ctx, id)) : [];
  const zookeeperConnect = zookeepers.map((z) => `${z.hostname}:${ZOOKEEPER_CLIENT_PORT}`).join(",");
  const clusterId = clusterIdOf(identity);
  const brokers = range(config.brokers).map((id) => {
    const hostname = brokerHost(config, id);
    return config.mode === "kraft"
      ? brokerContainer(ctx, id, kraftBrokerEnv(config, hostname, id, clusterId), [])
      : brokerContainer(ctx, id, zookeeperModeBrokerEnv(config, hostname, id, zookeeperConnect), zookeepers.map((z) => z.key));
  });
  const containers = [...zookeepers, ...brokers];
  const networkName = `${labName}-net`;
  const imageNames = [...new Set(containers.map((c) => c.image))];
  return {
    labName,
    labels,
    network: { name: networkName, labels },
    images: imageNames.map((name) => ({ name, keepLocally: config.keepImages })),
    volumes: containers.flatMap((c) => c.mounts.map((m) => ({ name: m.volume, labels: c.labels, keep: config.keepVolumes }))),
    containers,
    topics: config.topics,
    scramUser: scramMechanism(config)
      ? { mechanism: scramMechanism(config)!, username: config.outsideUsername, brokerContainer: brokers[0]!.name }
      : undefined,
    outputs: {
      mode: config.mode,
      outsideAuth: config.outsideAuth,
      outsideUsername: config.outsideAuth === "none" ? "" : config.outsideUsername,
      bootstrapServers: brokers.map((_, i) => `${config.outsideHost}:${brokerOutsidePort(config, i + 1)}`).join(","),
      internalBootstrapServers: brokers.map((b) => `${b.hostname}:${INSIDE_PORT}`).join(","),
      zookeeperConnect,
      networkName,
      topics: config.topics.map((t) => t.name),
    },
    waitTimeoutSeconds: config.waitTimeoutSeconds,
  };
}

/** Containers grouped so that each group depends only on earlier groups: the start order (stop in reverse). */
export function startOrder(containers: ContainerSpec[]): ContainerSpec[][] {
  const levels: ContainerSpec[][] = [];
  const placed = new Set<string>();
  let remaining = [...containers];
  while (remaining.length > 0) {
    const ready = remaining.filter((c) => c.dependsOn.every((d) => placed.has(d)));
    if (ready.length === 0) throw new Error(`dependency cycle among ${remaining.map((c) => c.key).join(", ")}`);
    levels.push(ready);
    ready.forEach((c) => placed.add(c.key));
    remaining = remaining.filter((c) => !placed.has(c.key));
  }
  return levels;
}
