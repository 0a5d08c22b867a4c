// Topic declarations in the tutorial's own notation, name:partitions:replicationFactor, with optional topic
// configs after a third colon: "orders:3:1:cleanup.policy=compact,retention.ms=60000". Configs are checked against
// the catalogue of the lab's Kafka line (topic-configs.ts). A list config takes several items: what follows it up to
// the next key=value belongs to it, "orders:3:1:cleanup.policy=compact,delete,retention.ms=60000". Pure.

import { counted } from "./words.js";
import { checkTopicConfigs, isListConfig, KAFKA_LINES, parseKafkaInteger, type KafkaLine } from "./topic-configs.js";

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic-level configs (cleanup.policy, retention.ms, min.insync.replicas, ...). */
  configs: Record<string, string>;
}

export interface TopicProblem {
  value: string;
  allowed: string;
}

export const MAX_PARTITIONS = 1000;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const CONFIG_NAME = /^[a-z][a-z0-9.]*[a-z0-9]$/;

export function formatTopicSpec(topic: TopicSpec): string {
  const configs = Object.entries(topic.configs)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const base = `${topic.name}:${topic.partitions}:${topic.replicationFactor}`;
  return configs ? `${base}:${configs}` : base;
}

/** A list config takes the items after it; without a line, one that is a list in either line does. */
function isList(line: KafkaLine | undefined, key: string): boolean {
  return line ? isListConfig(line, key) : KAFKA_LINES.some((l) => isListConfig(l, key));
}

function parseConfigs(text: string | undefined, line: KafkaLine | undefined): Record<string, string> | string {
  const configs: Record<string, string> = {};
  if (text === undefined || text === "") return configs;
  let listKey: string | undefined;
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq < 0 && listKey !== undefined) {
      // The next item of a list config such as cleanup.policy=compact,delete.
      configs[listKey] += `,${pair.trim()}`;
      continue;
    }
    const key = eq > 0 ? pair.slice(0, eq).trim() : "";
    if (!CONFIG_NAME.test(key))
      return `topic config "${pair}" must be key=value with a Kafka config name such as retention.ms`;
    if (key in configs) return `topic config ${key} is given twice`;
    configs[key] = pair.slice(eq + 1).trim();
    listKey = isList(line, key) ? key : undefined;
  }
  return configs;
}

function parseWholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Parses one "name:partitions:replicationFactor[:configs]" entry; with `brokers`, its replication is held to them,
 * and with a Kafka `line`, its configs to that line's catalogue. A string is the reason it was refused (several
 * config problems are joined by "; ").
 */
export function parseTopicSpec(text: string, brokers = Infinity, line?: KafkaLine): TopicSpec | string {
  const parsed = parseOne(text, brokers, line);
  return Array.isArray(parsed) ? parsed.join("; ") : parsed;
}

/** The spec, or every reason it was refused. */
function parseOne(text: string, brokers: number, line: KafkaLine | undefined): TopicSpec | string[] {
  const refused = parseTopicLayout(text, brokers);
  if (typeof refused === "string") return [refused];
  const { name, partitions, replicationFactor, configText } = refused;
  const configs = parseConfigs(configText, line);
  if (typeof configs === "string") return [configs];
  const problems = line ? checkTopicConfigs(line, name, configs) : [];
  if (problems.length > 0) return problems;
  const minIsrText = configs["min.insync.replicas"] ?? "";
  const minIsr = parseKafkaInteger(minIsrText);
  if (minIsr !== undefined && minIsr > BigInt(replicationFactor)) {
    return [
      `min.insync.replicas=${minIsrText} of ${name} is more than its replication factor ${replicationFactor}: every produce with acks=all would fail`,
    ];
  }
  return { name, partitions, replicationFactor, configs };
}

/** Name, partitions and replication factor; the configs' text is left to parseConfigs. */
function parseTopicLayout(
  text: string,
  brokers: number,
): { name: string; partitions: number; replicationFactor: number; configText: string } | string {
  const [name = "", partitionsText, replicationText, ...rest] = text.split(":");
  const usage = "name:partitions:replicationFactor[:key=value,...], e.g. topic_test:1:1";
  if (partitionsText === undefined || replicationText === undefined) return `must look like ${usage}`;
  if (!TOPIC_NAME.test(name) || name === "." || name === "..") {
    return `topic name "${name}" may use only letters, digits, '.', '_' and '-' (1 to 249 characters, not "." or "..")`;
  }
  if (name.startsWith("__")) return `topic name "${name}" starts with "__", which Kafka keeps for internal topics`;
  const partitions = parseWholeNumber(partitionsText);
  if (partitions === undefined || partitions < 1 || partitions > MAX_PARTITIONS) {
    return `partitions of ${name} must be a whole number from 1 to ${MAX_PARTITIONS}, got "${partitionsText}"`;
  }
  const replicationFactor = parseWholeNumber(replicationText);
  if (replicationFactor === undefined || replicationFactor < 1) {
    return `replication factor of ${name} must be a whole number of at least 1, got "${replicationText}"`;
  }
  if (replicationFactor > brokers) {
    return (
      `replication factor ${replicationFactor} of ${name} is more than the ${counted(brokers, "broker")} of this lab; ` +
      `use at most ${brokers} or raise kafka-lab:brokers`
    );
  }
  return { name, partitions, replicationFactor, configText: rest.join(":") };
}

/**
 * Parses every entry (brokers and line as for parseTopicSpec); topic names must be unique (Kafka also treats '.'
 * and '_' as colliding). Each refused config is a problem of its own.
 */
export function parseTopicSpecs(
  items: readonly string[],
  brokers = Infinity,
  line?: KafkaLine,
): { topics: TopicSpec[]; problems: TopicProblem[] } {
  const topics: TopicSpec[] = [];
  const problems: TopicProblem[] = [];
  const seen = new Map<string, string>();
  for (const item of items) {
    const parsed = parseOne(item, brokers, line);
    if (Array.isArray(parsed)) {
      for (const allowed of parsed) problems.push({ value: item, allowed });
      continue;
    }
    const collisionKey = parsed.name.replace(/\./g, "_");
    const earlier = seen.get(collisionKey);
    if (earlier !== undefined) {
      problems.push({
        value: item,
        allowed: `topic ${parsed.name} collides with ${earlier} (same name, or differs only by '.' vs '_')`,
      });
      continue;
    }
    seen.set(collisionKey, parsed.name);
    topics.push(parsed);
  }
  return { topics, problems };
}

/**
 * What parsed topics cannot be on this lab: a replication factor above its brokers, configs its Kafka line does not
 * know or would refuse. The value of each problem is the topic's entry.
 */
export function topicProblemsOn(topics: readonly TopicSpec[], brokers: number, line: KafkaLine): TopicProblem[] {
  return topics.flatMap((topic) => {
    const parsed = parseOne(formatTopicSpec(topic), brokers, line);
    return Array.isArray(parsed) ? parsed.map((allowed) => ({ value: formatTopicSpec(topic), allowed })) : [];
  });
}
