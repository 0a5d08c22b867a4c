// The Docker engine a lab runs on, from the lab's keys (model/keys/docker-keys.ts: dockerHost, TLS and ssh settings)
// or, without dockerHost, the one the environment names (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) as for
// the docker CLI and the Docker provider. And what a remote engine needs of the lab's other keys. Pure.

import type { EngineSettings } from "./docker-engine.cjs";
import type { ConfigProblem } from "../model/keys/keys.js";
import type { ValuesOf } from "../model/keys/keys.js";
import type { DOCKER_KEYS } from "../model/keys/docker-keys.js";

type EngineConfig = Pick<
  ValuesOf<typeof DOCKER_KEYS>,
  "dockerHost" | "dockerTlsCa" | "dockerTlsCert" | "dockerTlsKey" | "dockerInsecure" | "dockerSshOpts"
>;

/** The engine the keys name, or undefined when dockerHost is empty (the environment's engine). */
export function engineOf(config: EngineConfig): EngineSettings | undefined {
  const { dockerHost: host, dockerTlsCa: ca, dockerTlsCert: cert, dockerTlsKey: key } = config;
  if (host === "") return undefined;
  if (host.startsWith("tcp://"))
    return config.dockerInsecure ? { host, insecure: true } : { host, tls: { ca, ...(cert ? { cert, key } : {}) } };
  if (host.startsWith("ssh://")) return { host, sshOpts: config.dockerSshOpts };
  return { host };
}

/** Whether the engine runs on another machine than this one (its published ports are that machine's). */
export function isRemote(engine: EngineSettings): boolean {
  return !engine.host.startsWith("unix://");
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|localhost\.localdomain|ip6-localhost)$/i;

/**
 * On a remote engine the brokers' OUTSIDE ports bind on that machine: loopback there is unreachable from here, and
 * a loopback outsideHost sends clients to their own machine.
 */
export function remoteEngineProblems(
  engine: EngineSettings,
  config: { bindAddress: string; outsideHost: string },
): ConfigProblem[] {
  if (!isRemote(engine)) return [];
  const where = `the lab runs on the Docker engine at ${engine.host.replace(/\/\/[^@/]*@/, "//")}`;
  const problems: ConfigProblem[] = [];
  if (LOOPBACK.test(config.bindAddress))
    problems.push({
      key: "bindAddress",
      value: config.bindAddress,
      allowed: `${where}, whose loopback this machine cannot reach: set it to that machine's address (or 0.0.0.0)`,
    });
  if (LOOPBACK.test(config.outsideHost))
    problems.push({
      key: "outsideHost",
      value: config.outsideHost,
      allowed: `${where}: clients must reach that machine, not their own; set it to its name or address`,
    });
  return problems;
}

/** The Docker provider's arguments for the engine the keys name; none for the environment's (it reads it itself). */
export function providerArgs(engine: EngineSettings | undefined): {
  host?: string;
  caMaterial?: string;
  certMaterial?: string;
  keyMaterial?: string;
  sshOpts?: string[];
} {
  if (!engine) return {};
  const { host, tls, sshOpts } = engine;
  return {
    host,
    ...(tls ? { caMaterial: tls.ca, certMaterial: tls.cert, keyMaterial: tls.key } : {}),
    // The provider runs ssh without BatchMode: a host key or passphrase prompt would hang pulumi up.
    ...(sshOpts ? { sshOpts: ["-o", "BatchMode=yes", ...sshOpts] } : {}),
  };
}
