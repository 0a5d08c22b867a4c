// What a service of the lab is (ZooKeeper, the brokers, Kafka Connect, the schema registry), and what every service
// shares. A service is data: the config keys it owns and the rules that involve them, the services it needs, and,
// given the config, its containers (env, ports, healthcheck, dependencies), the setup steps that run once they are
// healthy, what other services may read of it, and the stack outputs it contributes. Pure.

import type { Fail, KeySet, ValuesOf } from "../keys/keys.js";
import type { LAB_KEYS } from "../keys/lab-keys.js";
import { LABEL_PREFIX, type ContainerSpec, type Healthcheck, type LabPlan, type SetupStep } from "../specs.js";

/**
 * The Confluent Platform images' tag: the newest patch of 7.9, the last line with ZooKeeper (Confluent's 7.9
 * component changelog lists 7.9.11, released November 2026).
 */
export const CONFLUENT_PLATFORM = "7.9.11";

export interface LabIdentity {
  project: string;
  stack: string;
}

/** What a service built for this lab: its containers, its setup steps, and what the services after it may read. */
export interface Built<E> {
  containers: ContainerSpec[];
  setup: SetupStep[];
  exports: E;
}

/** What a service with keys K sees of the config: its own keys and the lab's. */
export type ConfigOf<K extends KeySet> = ValuesOf<K & typeof LAB_KEYS>;

export interface ServiceContext<K extends KeySet = KeySet> {
  config: ConfigOf<K>;
  identity: LabIdentity;
  /** Docker-safe lab name, <project>-<stack>: the prefix of every container, network and volume name. */
  lab: string;
  labels: Record<string, string>;
  /** What the lab settled when it was made and keeps (lab-plan.ts). */
  plan: LabPlan;
  /** What a service named in `needs` built; undefined when the config leaves it off. */
  of<E>(service: Service<KeySet, E, OutputDecls<E, never>>): Built<E> | undefined;
}

/** A stack output a service contributes: a string or a list of strings. */
export interface OutputDecl<Kind extends "string" | "list", E, K extends KeySet> {
  readonly kind: Kind;
  /** What it is for (README's outputs table). */
  readonly description: string;
  /** Its value in this lab; `built` is undefined when the service is off (the value then says so: empty). */
  value(ctx: ServiceContext<K>, built: Built<E> | undefined): Kind extends "list" ? string[] : string;
}

export type OutputDecls<E, K extends KeySet> = Readonly<Record<string, OutputDecl<"string" | "list", E, K>>>;

/** The outputs of a service with exports E and keys K, declared with their kind (LabOutputs follows from it). */
export function outputsOf<E, K extends KeySet>() {
  type Decl<Kind extends "string" | "list"> = OutputDecl<Kind, E, K>;
  return {
    string: (description: string, value: Decl<"string">["value"]): Decl<"string"> => ({
      kind: "string",
      description,
      value,
    }),
    list: (description: string, value: Decl<"list">["value"]): Decl<"list"> => ({ kind: "list", description, value }),
  };
}

export interface Service<K extends KeySet, E, O extends OutputDecls<E, K>> {
  /** The role of its containers (their org.kafka-lab.role label). */
  readonly name: string;
  /** The config keys it owns. */
  readonly keys: K;
  /** The services whose built parts it reads (ctx.of): they are built first, and its containers may depend on theirs. */
  readonly needs: readonly AnyService[];
  readonly outputs: O;
  /** Whether this lab runs the service. */
  enabled(config: ConfigOf<K>): boolean;
  /** The checks that involve several keys (its own, or its own and the lab's), each naming the key to change. */
  rules?(config: ConfigOf<K>, fail: Fail): void;
  /** Its containers, setup steps and exports; called only when enabled. */
  build(ctx: ServiceContext<K>): Built<E>;
}

export type AnyService = Service<KeySet, unknown, OutputDecls<unknown, KeySet>>;

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
 * port, and on the lab network, of the service's `node`; empty strings without one (the service is off). `path` is
 * the API's base path.
 */
export function httpUrls(
  ctx: ServiceContext<KeySet>,
  node: ContainerSpec | undefined,
  hostPort: number,
  containerPort: number,
  path = "",
): { host: string; internal: string } {
  if (!node) return { host: "", internal: "" };
  return {
    host: `http://${ctx.config.outsideHost}:${hostPort}${path}`,
    internal: `http://${node.hostname}:${containerPort}${path}`,
  };
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

/** What every container shares: its names on the machine and the network, its labels. */
export function nodeIdentity(
  ctx: ServiceContext<KeySet>,
  role: string,
  key: string,
  hostname: string,
  aliases: string[] = [],
) {
  return {
    key,
    role,
    name: `${ctx.lab}-${key}`,
    hostname,
    aliases: [...new Set([hostname, key, ...aliases])],
    labels: { ...ctx.labels, [`${LABEL_PREFIX}.role`]: role, [`${LABEL_PREFIX}.node`]: key },
  };
}

/** The keys of `containers`, for a container's or a step's dependencies. */
export function keysOf(containers: readonly ContainerSpec[] | undefined): string[] {
  return (containers ?? []).map((c) => c.key);
}
