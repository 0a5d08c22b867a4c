// From a setup step to its provider's inputs: the one mapping for the steps every target makes the same way (topics,
// readiness, connectors, schemas), used by each target's component and by the benchmark's docker-run floor
// (bench/cli-lab.ts). The SCRAM user is each target's own (docker/, kubernetes/). Pure.

import type { StepInputs } from "./provider-inputs.cjs";
import type { KafkaAccess, SetupStep } from "../model/specs.js";

/** What only the caller knows: values that exist while deploying (Pulumi outputs in a component). */
export interface StepRefs<S> {
  /** Changes whenever a container the step waits for is re-created. */
  clusterToken: S;
  /** The SCRAM password (a secret in a component). */
  password: S;
}

/** A setup step that speaks Kafka's protocol or REST from the machine running Pulumi. */
export type SharedStep = Exclude<SetupStep, { kind: "scram-user" }>;
export type SetupKind = SharedStep["kind"];
/** A step's kind with its provider's inputs. */
export type ProviderCall<S> = {
  [K in SetupKind]: { kind: K; inputs: StepInputs<S>[K] };
}[SetupKind];

export function isSharedStep(step: SetupStep): step is SharedStep {
  return step.kind !== "scram-user";
}

function kafkaInputs<S>(kafka: KafkaAccess, refs: StepRefs<S>): StepInputs<S>["consumer-group-readiness"] {
  const { bootstrapServers, scramMechanism, username } = kafka;
  return {
    bootstrapServers,
    clusterToken: refs.clusterToken,
    ...(scramMechanism ? { sasl: { mechanism: scramMechanism.toLowerCase(), username, password: refs.password } } : {}),
  };
}

export function providerInputs<S>(step: SharedStep, refs: StepRefs<S>): ProviderCall<S> {
  const { clusterToken } = refs;
  switch (step.kind) {
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
