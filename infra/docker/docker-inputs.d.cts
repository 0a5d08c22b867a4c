// The inputs of the Docker target's dynamic providers (docker-providers.cjs), typed once. S as in
// setup/provider-inputs.d.cts; E is how the engine's settings are given (they hold a TLS key, so the component passes
// them as a secret).

import type { EngineSettings } from "./docker-engine.cjs";

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
  /** The credential file's line for kafka-configs (model/services/broker.ts: scramCredential), derived from the password. */
  credential: S;
  clusterToken: S;
}
