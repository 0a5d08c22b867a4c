// The plain data a lab's topology is made of: containers, the network, images, volumes, the setup steps that
// run once the containers are healthy. Services (services/*.ts) produce these; the
// Pulumi component (kafka-lab.ts) turns them into resources. Pure types, no Pulumi or Docker imports.

import type { ConfigKey, LabConfig } from "./config.js";
import type { ConnectorSpec } from "./connectors.js";
import type { SchemaSpec } from "./schemas.js";
import type { TopicSpec } from "./topics.js";

export interface PublishedPort {
  /** Port inside the container. */
  internal: number;
  /** Port on the host. */
  external: number;
  /** Host interface the port binds to. */
  ip: string;
  /** The config key that sets the host port (what a message about it names), and what the port is for. */
  key: ConfigKey;
  what: string;
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
  /** The service it belongs to (zookeeper, broker, ...); also its org.kafka-lab.role label. */
  role: string;
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
  /** Keys of the containers that must be healthy before this one starts (or only exist: waitsForDependencies). */
  dependsOn: string[];
  /** Its image waits for its dependencies by itself, so it starts as soon as they exist, in parallel with them. */
  waitsForDependencies?: boolean;
  /** Memory limit in MiB, with no swap on top. */
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

/** How the setup steps reach Kafka: the OUTSIDE listener, with the SCRAM login when it authenticates. */
export interface KafkaAccess {
  bootstrapServers: string;
  /** Kafka's name of the SCRAM mechanism (SCRAM-SHA-256), or undefined without authentication. */
  scramMechanism: string | undefined;
  username: string;
}

/**
 * What runs once the containers are healthy: the SCRAM user, the topics, the consumer-group readiness, the
 * connectors, the schemas. Each step
 * comes after the containers and earlier steps whose keys it names in `after`, and is made again (its provider
 * ensures it) when one of those containers is re-created. Realised by the Pulumi component through the dynamic
 * providers of kafka-providers.cjs and rest-providers.cjs; the benchmark's docker-run floor calls the same providers.
 */
export type SetupStep =
  /** brokerContainer: the key of the broker container in which kafka-configs creates the user; insideAddress: the
   * broker's INSIDE listener as seen from inside that container. */
  | {
      kind: "scram-user";
      key: string;
      after: string[];
      mechanism: string;
      username: string;
      brokerContainer: string;
      insideAddress: string;
    }
  | { kind: "topic"; key: string; after: string[]; kafka: KafkaAccess; topic: TopicSpec }
  | { kind: "consumer-group-readiness"; key: string; after: string[]; kafka: KafkaAccess }
  /** url: Connect's REST API as the machine running pulumi reaches it. */
  | { kind: "connector"; key: string; after: string[]; url: string; connector: ConnectorSpec }
  /** url: the schema registry as the machine running pulumi reaches it. */
  | { kind: "schema"; key: string; after: string[]; url: string; schema: SchemaSpec };

export const LABEL_PREFIX = "org.kafka-lab";
/** The label naming the lab of every container, network and volume: what leftover checks look for. */
export const LAB_LABEL = `${LABEL_PREFIX}.lab`;
