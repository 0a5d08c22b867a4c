// The plain data a lab's topology is made of: containers (what runs, its env, ports, probe, data folders), the
// setup steps that run once the containers are healthy, and the plan a lab keeps. Services (services/*.ts) produce
// these; each target realises them (docker/: containers on a network; kubernetes/: StatefulSets in a namespace).
// Pure types, no Pulumi, Docker or Kubernetes imports.

import type { ConnectorSpec } from "./connectors.js";
import type { SchemaSpec } from "./schemas.js";
import type { TopicSpec } from "./topics.js";

/** A port that clients outside the lab reach: published on the Docker host, a hostPort or NodePort on Kubernetes. */
export interface PublishedPort {
  /** Port inside the container. */
  internal: number;
  /** Port on the host (or node). */
  external: number;
  /** Host interface the port binds to. */
  ip: string;
  /** The config key that sets the host port (what a message about it names), and what the port is for. */
  key: string;
  what: string;
}

/** The container's own probe: Docker's healthcheck, Kubernetes' readinessProbe. */
export interface Healthcheck {
  /** The command, Docker's "CMD" form. */
  test: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  startPeriodSeconds: number;
}

/**
 * A folder where a container keeps its data. With the lab's persistence it is a volume of the stack (a named Docker
 * volume, a PersistentVolumeClaim); without, it lives and dies with the container (Docker) or the pod (Kubernetes).
 */
export interface DataDir {
  /** Short name, unique in the container: data, log. */
  name: string;
  path: string;
}

export interface ContainerSpec {
  /** Logical name, unique in the lab: zookeeper-1, kafka-1. */
  key: string;
  /** The service it belongs to (zookeeper, broker, ...); also its org.kafka-lab.role label. */
  role: string;
  /** Name unique on the machine: <lab>-<key> (the Docker container's name). */
  name: string;
  hostname: string;
  /** Every name other containers of the lab reach it by (its hostname, its key, any alias). */
  aliases: string[];
  image: string;
  env: Record<string, string>;
  ports: PublishedPort[];
  /** Its data folders; nothing else is ever mounted, least of all the Docker socket. */
  dataDirs: DataDir[];
  healthcheck: Healthcheck;
  /** Keys of the containers that must be healthy before this one starts (or only exist: waitsForDependencies). */
  dependsOn: string[];
  /** Its image waits for its dependencies by itself, so it starts as soon as they exist, in parallel with them. */
  waitsForDependencies?: boolean;
  /** Memory limit in MiB, with no swap on top. */
  memoryMb: number;
  /** Seconds between SIGTERM and SIGKILL when it stops, so a broker can shut down cleanly. */
  stopGraceSeconds: number;
  labels: Record<string, string>;
}

/** What a lab settles when it is first made and keeps (lab-plan.ts decides it). */
export interface LabPlan {
  mode: "zookeeper" | "kraft";
  brokers: number;
  /** ZooKeeper nodes (zookeeper mode; 0 in kraft mode). */
  zookeeperNodes: number;
  /** Brokers 1..controllers carry the KRaft quorum (kraft mode; 0 in zookeeper mode). */
  controllers: number;
  /** Replication of the brokers' internal topics (consumer offsets, transaction state) and the services' topics. */
  internalReplicationFactor: number;
  /** The first port of every host-port key, chosen or set. */
  ports: Record<string, number>;
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
