// The inputs of the dynamic providers (kafka-providers.cjs, rest-providers.cjs), typed once: the providers check
// their code against these (// @ts-check), and setup-inputs.ts makes them from a setup step. S is how a value known
// only while deploying is given: a string to a provider and in the benchmark's floor, a Pulumi input in a component.

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

/** The inputs of each kind of setup step that every target makes the same way (model/specs.ts: SetupStep). */
export interface StepInputs<S = string> {
  topic: TopicInputs<S>;
  "consumer-group-readiness": ReadinessInputs<S>;
  connector: ConnectorInputs<S>;
  schema: SchemaInputs<S>;
}
