// The setup steps as Pulumi resources: one dynamic resource per kind of step (specs.ts: SetupStep), created
// through the providers of kafka-providers.cjs (SCRAM user, topics, readiness) and rest-providers.cjs (connectors,
// schemas) once the containers they wait for are healthy.

import * as pulumi from "@pulumi/pulumi";
import providers from "./kafka-providers.cjs";
import restProviders from "./rest-providers.cjs";
import type { EngineSettings } from "./docker-engine.cjs";
import type { KafkaAccess, SetupStep } from "./specs.js";

/** What kafkajs needs to log in on OUTSIDE; always a Pulumi secret (it carries the password). */
export type SaslInput = pulumi.Input<{ mechanism: string; username: string; password: string } | undefined>;

interface KafkaInputs {
  bootstrapServers: pulumi.Input<string>;
  /** Changes whenever a container the step waits for is re-created, so the provider ensures the step again. */
  clusterToken: pulumi.Input<string>;
  sasl: SaslInput;
}

export interface TopicInputs extends KafkaInputs {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export interface ScramUserInputs {
  /** The engine the broker runs on; without it, the one the environment names (DOCKER_HOST, ...). */
  engine?: pulumi.Input<EngineSettings>;
  brokerContainer: pulumi.Input<string>;
  mechanism: string;
  username: string;
  password: pulumi.Input<string>;
  clusterToken: pulumi.Input<string>;
}

/** A Kafka topic, created (or adopted) and deleted through the kafkajs admin client. */
export class KafkaTopic extends pulumi.dynamic.Resource {
  constructor(name: string, args: TopicInputs, opts?: pulumi.CustomResourceOptions) {
    super(providers.topicProvider, name, { ...args }, opts, "kafka-lab", "KafkaTopic");
  }
}

/** The SCRAM user of the OUTSIDE listener, created through kafka-configs in a broker. */
export class ScramUser extends pulumi.dynamic.Resource {
  constructor(name: string, args: ScramUserInputs, opts?: pulumi.CustomResourceOptions) {
    super(providers.scramUserProvider, name, { ...args }, opts, "kafka-lab", "ScramUser");
  }
}

/** Exists once a consumer group can find its coordinator, so clients started after `pulumi up` work at once. */
export class ConsumerGroupReadiness extends pulumi.dynamic.Resource {
  constructor(name: string, args: KafkaInputs, opts?: pulumi.CustomResourceOptions) {
    super(providers.readinessProvider, name, { ...args }, opts, "kafka-lab", "ConsumerGroupReadiness");
  }
}

export interface ConnectorInputs {
  /** Connect's REST API as the machine running pulumi reaches it. */
  url: string;
  name: string;
  className: string;
  config: Record<string, string>;
  clusterToken: pulumi.Input<string>;
}

export interface SchemaInputs {
  url: string;
  subject: string;
  file: string;
  schemaType: string;
  schema: string;
  clusterToken: pulumi.Input<string>;
}

/** A Kafka Connect connector, created and changed in place through Connect's REST API; RUNNING once created. */
export class KafkaConnector extends pulumi.dynamic.Resource {
  constructor(name: string, args: ConnectorInputs, opts?: pulumi.CustomResourceOptions) {
    super(restProviders.connectorProvider, name, { ...args }, opts, "kafka-lab", "KafkaConnector");
  }
}

/** A schema registered with the schema registry (a changed schema registers a new version of the subject). */
export class RegisteredSchema extends pulumi.dynamic.Resource {
  constructor(name: string, args: SchemaInputs, opts?: pulumi.CustomResourceOptions) {
    super(restProviders.schemaProvider, name, { ...args }, opts, "kafka-lab", "RegisteredSchema");
  }
}

/** What every step's resource needs besides the step itself. */
export interface StepContext {
  kafka: KafkaAccess;
  /** The SCRAM password (a secret) when OUTSIDE authenticates. */
  password: pulumi.Output<string>;
  /** The Docker container name of a container key, as an output (so the step waits for the container). */
  containerName(key: string): pulumi.Output<string>;
  clusterToken: pulumi.Output<string>;
  /** The engine the containers run on (docker exec steps); without it, the one the environment names. */
  engine?: pulumi.Input<EngineSettings>;
}

function saslOf({ kafka, password }: StepContext): SaslInput {
  const { scramMechanism, username } = kafka;
  return scramMechanism
    ? pulumi.secret(password.apply((p) => ({ mechanism: scramMechanism.toLowerCase(), username, password: p })))
    : undefined;
}

/** What the admin-client steps (topics, readiness) need to reach the brokers. */
function kafkaInputsOf(ctx: StepContext): KafkaInputs {
  return { bootstrapServers: ctx.kafka.bootstrapServers, clusterToken: ctx.clusterToken, sasl: saslOf(ctx) };
}

/** The resource that realises one setup step. */
export function setupResource(
  step: SetupStep,
  ctx: StepContext,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  switch (step.kind) {
    case "scram-user":
      return new ScramUser(
        step.key,
        {
          // A secret: TLS material holds the client's key.
          ...(ctx.engine ? { engine: pulumi.secret(ctx.engine) } : {}),
          brokerContainer: ctx.containerName(step.brokerContainer),
          mechanism: step.mechanism,
          username: step.username,
          password: ctx.password,
          clusterToken: ctx.clusterToken,
        },
        opts,
      );
    case "topic": {
      const { name, partitions, replicationFactor, configs } = step.topic;
      return new KafkaTopic(step.key, { ...kafkaInputsOf(ctx), name, partitions, replicationFactor, configs }, opts);
    }
    case "consumer-group-readiness":
      return new ConsumerGroupReadiness(step.key, kafkaInputsOf(ctx), opts);
    case "connector": {
      const { name, class: className, config } = step.connector;
      return new KafkaConnector(
        step.key,
        { url: step.url, name, className, config, clusterToken: ctx.clusterToken },
        opts,
      );
    }
    case "schema": {
      const { subject, file, schemaType, schema } = step.schema;
      return new RegisteredSchema(
        step.key,
        { url: step.url, subject, file, schemaType, schema, clusterToken: ctx.clusterToken },
        opts,
      );
    }
  }
}
