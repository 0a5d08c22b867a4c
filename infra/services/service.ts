// What a service of the lab is (ZooKeeper, the brokers, Kafka Connect, the schema registry), and what every service
// shares.
// A service is data: given the config, it says its containers (env, ports, healthcheck, dependencies), the
// setup steps that run once they are healthy, and the stack outputs it contributes. Pure.

import type { LabConfig } from "../config.js";
import {
  LABEL_PREFIX,
  type ContainerSpec,
  type Healthcheck,
  type KafkaAccess,
  type OutputSpec,
  type SetupStep,
  type VolumeMount,
} from "../specs.js";

export interface LabIdentity {
  project: string;
  stack: string;
}

export interface ServiceContext {
  config: LabConfig;
  identity: LabIdentity;
  /** Docker-safe lab name, <project>-<stack>: the prefix of every container, network and volume name. */
  lab: string;
  labels: Record<string, string>;
  /** Containers of the services built before this one, by service name (empty when that service is off). */
  containersOf(service: string): ContainerSpec[];
  /** How setup steps reach Kafka (the brokers' OUTSIDE listener). */
  kafka: KafkaAccess;
}

export interface Service {
  /** The service's name: the role of its containers, and what other services depend on. */
  readonly name: string;
  /** Whether this lab runs the service. */
  enabled(config: LabConfig): boolean;
  /** Its containers; their dependsOn may name containers of services listed before this one. */
  containers(ctx: ServiceContext): ContainerSpec[];
  /** Steps after the containers are healthy (topics, users, ...), given its own containers. */
  setup?(ctx: ServiceContext, own: ContainerSpec[]): SetupStep[];
  /**
   * Stack outputs it contributes. Every name is exported by every lab: with the service off (own is empty),
   * the value says so (an empty string or list), so scripts can read it either way.
   */
  outputs(ctx: ServiceContext, own: ContainerSpec[]): Record<string, OutputSpec>;
}

/**
 * A healthcheck that runs one bash command in the container, healthy when it exits 0. Only bash and coreutils are
 * needed (the cp-* images, apache/kafka and our test images all have them), and no JVM starts per probe.
 */
export function bashHealthcheck(
  probe: string,
  { intervalSeconds = 2, timeoutSeconds = 5, retries = 60 } = {},
): Healthcheck {
  return { test: ["CMD", "bash", "-c", probe], intervalSeconds, timeoutSeconds, retries, startPeriodSeconds: 0 };
}

/** A bash-only HTTP/1.0 GET of `path` on the container's own port: passes when the status is 200. */
export function httpProbe(port: number, path: string): string {
  return (
    `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && ` +
    `timeout 5 head -n 1 <&3 | grep -q '^HTTP/1\\.[01] 200 '`
  );
}

/**
 * The URLs of a service's HTTP API: from the machine that runs pulumi (and host clients), through its published
 * port, and on the lab network; empty strings when the service is off (`own` is empty).
 */
export function httpUrls(
  ctx: ServiceContext,
  own: ContainerSpec[],
  hostPort: number,
  containerPort: number,
): { host: string; internal: string } {
  const [node] = own;
  if (!node) return { host: "", internal: "" };
  return { host: `http://${ctx.config.outsideHost}:${hostPort}`, internal: `http://${node.hostname}:${containerPort}` };
}

/** 1..n */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** Container memory limit for a JVM heap: the heap plus room for metaspace, threads and buffers. */
export function memoryLimitMb(heapMb: number): number {
  return heapMb * 2 + 256;
}

export function heapOpts(heapMb: number): string {
  return `-Xms${heapMb}m -Xmx${heapMb}m`;
}

/** What every container shares: its names on the machine and the network, its labels, its restart policy. */
export function nodeIdentity(ctx: ServiceContext, role: string, key: string, hostname: string) {
  return {
    key,
    role,
    name: `${ctx.lab}-${key}`,
    hostname,
    aliases: hostname === key ? [hostname] : [hostname, key],
    restartPolicy: ctx.config.restartPolicy,
    labels: { ...ctx.labels, [`${LABEL_PREFIX}.role`]: role, [`${LABEL_PREFIX}.node`]: key },
  };
}

/** Named volumes of one container, when persistence is on. */
export function volumesOf(ctx: ServiceContext, key: string, paths: Record<string, string>): VolumeMount[] {
  if (!ctx.config.persistence) return [];
  return Object.entries(paths).map(([suffix, containerPath]) => ({
    volume: `${ctx.lab}-${key}-${suffix}`,
    containerPath,
  }));
}
