// What a running lab holds, for `npm run lab:status`: brokers and the controller, topics with their partitions'
// leaders and in-sync replicas, consumer groups with their lag per partition, and, when they run, Connect's connectors
// and tasks and the registry's subjects. gatherStatus asks the lab (kafkajs admin through OUTSIDE, the services' REST
// APIs); formatStatus is pure.

import kafkajs, { type Admin, type SASLOptions } from "kafkajs";
import type { LabOutputs } from "../infra/model/topology.js";

export interface PartitionStatus {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface GroupLag {
  topic: string;
  partition: number;
  /** The group's committed offset; -1 when it committed none. */
  committed: number;
  /** The partition's end (high watermark). */
  end: number;
  lag: number;
}

export interface LabStatus {
  stack: string;
  bootstrapServers: string;
  brokers: Array<{ id: number; address: string }>;
  controller: number | null;
  topics: Array<{ name: string; internal: boolean; partitions: PartitionStatus[] }>;
  groups: Array<{ id: string; state: string; members: number; lag: GroupLag[] }>;
  /** Undefined when the lab runs no Connect worker. */
  connectors?: Array<{ name: string; state: string; tasks: Array<{ id: number; state: string }> }>;
  /** Undefined when the lab runs no registry. */
  subjects?: Array<{ subject: string; versions: number[] }>;
}

/** Thrown when the lab does not answer: the message says what to do. */
export class LabDownError extends Error {}

async function describeKafka(admin: Admin): Promise<Pick<LabStatus, "brokers" | "controller" | "topics" | "groups">> {
  const cluster = await admin.describeCluster();
  const { topics } = await admin.fetchTopicMetadata();
  const ends = new Map<string, Map<number, number>>();
  for (const t of topics)
    ends.set(t.name, new Map((await admin.fetchTopicOffsets(t.name)).map((p) => [p.partition, Number(p.high)])));
  const { groups: listed } = await admin.listGroups();
  const described = listed.length > 0 ? (await admin.describeGroups(listed.map((g) => g.groupId))).groups : [];
  const groups = [];
  for (const group of described.sort((a, b) => a.groupId.localeCompare(b.groupId))) {
    const offsets = await admin.fetchOffsets({ groupId: group.groupId });
    const lag = offsets.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => {
        const committed = Number(offset);
        const end = ends.get(topic)?.get(partition) ?? 0;
        return { topic, partition, committed, end, lag: committed < 0 ? end : end - committed };
      }),
    );
    lag.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    groups.push({ id: group.groupId, state: group.state, members: group.members.length, lag });
  }
  return {
    brokers: cluster.brokers.map((b) => ({ id: b.nodeId, address: `${b.host}:${b.port}` })).sort((a, b) => a.id - b.id),
    controller: cluster.controller,
    topics: topics
      .map((t) => ({
        name: t.name,
        internal: t.name.startsWith("__"),
        partitions: t.partitions
          .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
          .sort((a, b) => a.partition - b.partition),
      }))
      .sort((a, b) => Number(a.internal) - Number(b.internal) || a.name.localeCompare(b.name)),
    groups,
  };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return (await response.json()) as T;
}

type ConnectorsExpanded = Record<
  string,
  { status: { connector: { state: string }; tasks: Array<{ id: number; state: string }> } }
>;

async function describeConnect(url: string): Promise<NonNullable<LabStatus["connectors"]>> {
  const expanded = await getJson<ConnectorsExpanded>(`${url}/connectors?expand=status`);
  return Object.entries(expanded)
    .map(([name, { status }]) => ({ name, state: status.connector.state, tasks: status.tasks }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function describeRegistry(url: string): Promise<NonNullable<LabStatus["subjects"]>> {
  const subjects = await getJson<string[]>(`${url}/subjects`);
  return Promise.all(
    subjects.sort().map(async (subject) => ({
      subject,
      versions: await getJson<number[]>(`${url}/subjects/${encodeURIComponent(subject)}/versions`),
    })),
  );
}

function adminOf(outputs: LabOutputs, retries: number, sasl?: SASLOptions): Admin {
  return new kafkajs.Kafka({
    clientId: "kafka-lab-status",
    brokers: outputs.bootstrapServers.split(","),
    connectionTimeout: 3000,
    retry: { retries },
    logLevel: kafkajs.logLevel.NOTHING,
    ...(sasl ? { sasl } : {}),
  }).admin();
}

/**
 * Asks the lab of these outputs what it holds; a lab whose brokers do not answer is a LabDownError (found with one
 * retry, so that it is said quickly). Once they answer, the questions are retried for longer: a partition whose
 * leader is being elected (a broker just came back) answers a moment later.
 */
export async function gatherStatus(stack: string, outputs: LabOutputs, sasl?: SASLOptions): Promise<LabStatus> {
  const probe = adminOf(outputs, 1, sasl);
  try {
    await probe.connect();
  } catch (error) {
    throw new LabDownError(
      `the brokers of stack ${stack} (${outputs.bootstrapServers}) do not answer (${(error as Error).message}): ` +
        `is the lab up? Start it with npm run lab:up -- --stack ${stack} (or pulumi up --stack ${stack})`,
    );
  } finally {
    await probe.disconnect();
  }
  const admin = adminOf(outputs, 6, sasl);
  try {
    await admin.connect();
    const kafka = await describeKafka(admin);
    return {
      stack,
      bootstrapServers: outputs.bootstrapServers,
      ...kafka,
      ...(outputs.connectUrl ? { connectors: await describeConnect(outputs.connectUrl) } : {}),
      ...(outputs.schemaRegistryUrl ? { subjects: await describeRegistry(outputs.schemaRegistryUrl) } : {}),
    };
  } finally {
    await admin.disconnect();
  }
}

/** A plain-text table: columns padded to their widest cell. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const ids = (list: number[]) => list.join(",");

/** The status as a terminal reads it. */
export function formatStatus(status: LabStatus): string {
  const out: string[] = [`Lab of stack ${status.stack} (${status.bootstrapServers})`, ""];
  out.push(`Brokers (controller: ${status.controller ?? "none"})`);
  out.push(
    ...table(
      ["id", "address"],
      status.brokers.map((b) => [String(b.id), b.address]),
    ).map((l) => `  ${l}`),
  );
  out.push("", "Topics");
  const partitionRows = status.topics.flatMap((t) =>
    t.partitions.map((p) => {
      const underReplicated = p.isr.length < p.replicas.length ? "  under-replicated" : "";
      return [t.name, String(p.partition), String(p.leader), ids(p.replicas), ids(p.isr) + underReplicated];
    }),
  );
  out.push(...table(["topic", "partition", "leader", "replicas", "in-sync"], partitionRows).map((l) => `  ${l}`));
  out.push("", "Consumer groups");
  if (status.groups.length === 0) out.push("  none");
  for (const group of status.groups) {
    const total = group.lag.reduce((n, l) => n + l.lag, 0);
    out.push(`  ${group.id}: ${group.state}, ${group.members} member(s), lag ${total}`);
    const rows = group.lag.map((l) => [
      l.topic,
      String(l.partition),
      l.committed < 0 ? "-" : String(l.committed),
      String(l.end),
      String(l.lag),
    ]);
    out.push(...table(["topic", "partition", "committed", "end", "lag"], rows).map((l) => `    ${l}`));
  }
  if (status.connectors) {
    out.push("", "Connectors");
    if (status.connectors.length === 0) out.push("  none");
    for (const c of status.connectors)
      out.push(`  ${c.name}: ${c.state}; tasks ${c.tasks.map((t) => `${t.id} ${t.state}`).join(", ") || "none"}`);
  }
  if (status.subjects) {
    out.push("", "Schema subjects");
    if (status.subjects.length === 0) out.push("  none");
    for (const s of status.subjects) out.push(`  ${s.subject}: versions ${ids(s.versions)}`);
  }
  return out.join("\n");
}
