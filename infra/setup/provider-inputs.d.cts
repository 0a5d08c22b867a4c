// The inputs of the dynamic providers (kafka-providers.cjs, rest-providers.cjs), typed once: the providers check
// their code against these (// @ts-check), and setup-inputs.ts makes them from a setup step. S is how a value known
// only while deploying is given: a string to a provider and in the benchmark's floor, a Pulumi input in the component;
// E likewise for the Docker engine's settings (which hold a TLS key, so the component passes them as a secret).

import type { EngineSettings } from "../docker/docker-engine.cjs";

export interface SaslLogin<S = string> {
  /** kafkajs's name of the mechanism: scram-sha-256 or scram-sha-512. */
  mechanism: string;
  username: string;
  password: S;
}

export interface KafkaStepInputs<S = string> {
  /** The brokers' OUTSIDE addresses, comma-separated. */
  bootstrapServers: string;
  /** Changes whenever a container the step waits for is re-created, so the provider ensures the step again. */
  clusterToken: S;
  /** The login when OUTSIDE authenticates. */
  sasl?: SaslLogin<S>;
}

export interface TopicInputs<S = string> extends KafkaStepInputs<S> {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export type ReadinessInputs<S = string> = KafkaStepInputs<S>;

export interface ScramUserInputs<S = string, E = EngineSettings> {
  /** The engine the broker runs on; without it, the one the environment names (DOCKER_HOST, ...). */
  engine?: E;
  /** The Docker container name of the broker in which kafka-configs runs. */
  brokerContainer: S;
  /** That broker's INSIDE listener as the broker itself reaches it (localhost:<port>). */
  insideAddress: string;
  /** Kafka's name of the mechanism: SCRAM-SHA-256 or SCRAM-SHA-512. */
  mechanism: string;
  username: string;
  password: S;
  clusterToken: S;
}

export interface ConnectorInputs<S = string> {
  /** Connect's REST API as the machine running pulumi reaches it. */
  url: string;
  name: string;
  className: string;
  config: Record<string, string>;
  clusterToken: S;
}

export interface SchemaInputs<S = string> {
  /** The registry's Confluent-compatible API as the machine running pulumi reaches it. */
  url: string;
  subject: string;
  file: string;
  schemaType: string;
  schema: string;
  clusterToken: S;
}

export interface NetworkInputs<E = EngineSettings> {
  name: string;
  labels: Record<string, string>;
  /** The engine; without it, the one the environment names. */
  engine?: E;
}

export interface HealthInputs<S = string, E = EngineSettings> {
  /** The container's name. */
  container: S;
  /** Its id: another one (the container was re-created) is waited for again. */
  containerId: S;
  /** Its healthcheck command, without Docker's "CMD": run while it starts. */
  probe: string[];
  timeoutSeconds: number;
  engine?: E;
}

export interface VolumeRemovalInputs<E = EngineSettings> {
  /** The Docker volume's name. */
  name: string;
  /** Keep the volume when the lab is done with it (keepVolumes). */
  keep: boolean;
  engine?: E;
}

/** The inputs of each kind of setup step (specs.ts: SetupStep). */
export interface StepInputs<S = string, E = EngineSettings> {
  "scram-user": ScramUserInputs<S, E>;
  topic: TopicInputs<S>;
  "consumer-group-readiness": ReadinessInputs<S>;
  connector: ConnectorInputs<S>;
  schema: SchemaInputs<S>;
}
