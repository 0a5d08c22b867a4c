// From a setup step to its provider's inputs: the one mapping, used by the component (kafka-lab.ts) and by the
// benchmark's docker-run floor (bench/cli-lab.ts). Pure.

import type { EngineSettings } from "../docker/docker-engine.cjs";
import type { StepInputs } from "./provider-inputs.cjs";
import type { KafkaAccess, SetupStep } from "../model/specs.js";

/** What only the caller knows: values that exist while deploying (Pulumi outputs in the component). */
export interface StepRefs<S, E = EngineSettings> {
  /** Changes whenever a container the step waits for is re-created. */
  clusterToken: S;
  /** The SCRAM password (a secret in the component). */
  password: S;
  /** The Docker container name of a container key. */
  containerName(key: string): S;
  /** The engine the containers run on (for a step that runs a command in one); without it, the environment's. */
  engine?: E;
}

export type SetupKind = SetupStep["kind"];
/** A step's kind with its provider's inputs. */
export type ProviderCall<S, E = EngineSettings> = {
  [K in SetupKind]: { kind: K; inputs: StepInputs<S, E>[K] };
}[SetupKind];

function kafkaInputs<S, E>(kafka: KafkaAccess, refs: StepRefs<S, E>): StepInputs<S>["consumer-group-readiness"] {
  const { bootstrapServers, scramMechanism, username } = kafka;
  return {
    bootstrapServers,
    clusterToken: refs.clusterToken,
    ...(scramMechanism ? { sasl: { mechanism: scramMechanism.toLowerCase(), username, password: refs.password } } : {}),
  };
}

export function providerInputs<S, E = EngineSettings>(step: SetupStep, refs: StepRefs<S, E>): ProviderCall<S, E> {
  const { clusterToken } = refs;
  switch (step.kind) {
    case "scram-user": {
      const { mechanism, username, insideAddress } = step;
      const brokerContainer = refs.containerName(step.brokerContainer);
      const password = refs.password;
      return {
        kind: step.kind,
        inputs: {
          ...(refs.engine !== undefined ? { engine: refs.engine } : {}),
          brokerContainer,
          insideAddress,
          mechanism,
          username,
          password,
          clusterToken,
        },
      };
    }
    case "topic": {
      const { name, partitions, replicationFactor, configs } = step.topic;
      return {
        kind: step.kind,
        inputs: { ...kafkaInputs(step.kafka, refs), name, partitions, replicationFactor, configs },
      };
    }
    case "consumer-group-readiness":
      return { kind: step.kind, inputs: kafkaInputs(step.kafka, refs) };
    case "connector": {
      const { name, class: className, config } = step.connector;
      return { kind: step.kind, inputs: { url: step.url, name, className, config, clusterToken } };
    }
    case "schema": {
      const { subject, file, schemaType, schema } = step.schema;
      return { kind: step.kind, inputs: { url: step.url, subject, file, schemaType, schema, clusterToken } };
    }
  }
}
