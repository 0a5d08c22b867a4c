// Types of docker-engine.cjs.

/** PEM strings. The engine is always verified against `ca`; `cert` and `key` (together) are the client's, for mutual TLS. */
export interface EngineTls {
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * Which Docker engine, and how to reach it: serialisable, so a dynamic provider can take it as an input.
 *   unix:///var/run/docker.sock              a local socket
 *   tcp://HOST[:2376] with tls               TLS, verified against tls.ca (without a CA: refused)
 *   tcp://HOST[:2375] with insecure: true    plain HTTP (without either: refused)
 *   ssh://[USER@]HOST[:PORT] with sshOpts    the local ssh (BatchMode=yes, then sshOpts) running `docker system dial-stdio`
 */
export interface EngineSettings {
  host: string;
  tls?: EngineTls;
  insecure?: boolean;
  sshOpts?: string[];
}

export interface EngineResponse {
  status: number;
  data: Buffer;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

/** An engine with its connections kept open between calls (close() ends them; idle ones do not keep node running). */
export interface Engine {
  /** The host (without a password) and how it is secured, for messages. */
  readonly description: string;
  /** One call (a JSON body; a Buffer is sent as a tar archive); resolves with the status and the raw body, rejects only when the engine cannot be reached. */
  request(method: string, path: string, body?: unknown): Promise<EngineResponse>;
  /** Runs a command in a running container and waits for it: its exit code and its output (stdout and stderr). */
  exec(container: string, cmd: string[], env?: string[]): Promise<ExecResult>;
  close(): void;
}

/** DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH (else ~/.docker) as the docker CLI reads them. */
export function engineFromEnv(env?: Record<string, string | undefined>): EngineSettings;
/** Why these settings cannot be used (a sentence naming the setting), or undefined when they can. */
export function engineProblem(settings: EngineSettings): string | undefined;
export function describeEngine(settings: EngineSettings): string;
/** Throws the engineProblem of bad settings; connects only when a call needs it. */
export function openEngine(settings: EngineSettings): Engine;
/** One call on an engine opened for it and closed after. */
export function request(
  settings: EngineSettings,
  method: string,
  path: string,
  body?: unknown,
): Promise<EngineResponse>;
/** One exec on an engine opened for it and closed after. */
export function exec(settings: EngineSettings, container: string, cmd: string[], env?: string[]): Promise<ExecResult>;
export function demultiplex(data: Buffer): string;
