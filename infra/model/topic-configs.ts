// Topic configs checked against the catalogue of the Kafka line the lab runs, before anything is created. The
// catalogues (topic-configs/kafka-*.json) are Kafka's own ConfigDef of topic configs, dumped by
// scripts/gen-topic-configs/gen.sh from the Kafka jars; each value is parsed as Kafka parses its type and then held
// to the validator Kafka declares for it. tests/unit/topic-configs.test.ts holds this file to Kafka's verdicts on
// some 800 probe values per line. Cross-config rules (min.compaction.lag.ms <= max.compaction.lag.ms, remote
// storage against the broker's settings) are left to the broker. Pure.

import kafka39 from "./topic-configs/kafka-3.9.json" with { type: "json" };
import kafka44 from "./topic-configs/kafka-4.4.json" with { type: "json" };

/** The broker line: zookeeper mode runs Kafka 3.9 (Confluent Platform 7.9), kraft mode Kafka 4.x. */
export type KafkaLine = "3.9" | "4.x";
export const KAFKA_LINES: readonly KafkaLine[] = ["3.9", "4.x"];

export type ConfigType = "BOOLEAN" | "STRING" | "INT" | "SHORT" | "LONG" | "DOUBLE" | "LIST" | "CLASS" | "PASSWORD";

/** What Kafka's validator allows once the value has parsed as its type. */
export type ConfigCheck =
  | { kind: "none" }
  | { kind: "range"; min: string | null; max: string | null; or: string[] }
  | { kind: "oneOf"; allowed: string[]; caseInsensitive: boolean; emptyListAllowed?: boolean }
  | { kind: "replicaList" };

export interface TopicConfigDef {
  name: string;
  type: ConfigType;
  default: string | null;
  /** Kafka's internal configs: accepted as Kafka accepts them, never suggested. */
  internal: boolean;
  /** The validator's own description (ConfigDef.Validator.toString()). */
  validator: string | null;
  check: ConfigCheck;
}

export interface TopicConfigCatalogue {
  line: KafkaLine;
  /** The Kafka release the catalogue was read from, e.g. "4.4.0". */
  kafkaVersion: string;
  /** How messages name it: "Kafka 4.4 (kraft mode)". */
  label: string;
  /** The committed file, for messages that point at the full list. */
  file: string;
  configs: ReadonlyMap<string, TopicConfigDef>;
}

interface CatalogueFile {
  kafkaVersion: string;
  configs: TopicConfigDef[];
}

function catalogue(line: KafkaLine, file: string, mode: string, data: CatalogueFile): TopicConfigCatalogue {
  const minor = data.kafkaVersion.split(".").slice(0, 2).join(".");
  return {
    line,
    kafkaVersion: data.kafkaVersion,
    label: `Kafka ${minor} (${mode} mode)`,
    file: `infra/topic-configs/${file}`,
    configs: new Map(data.configs.map((c) => [c.name, c])),
  };
}

const CATALOGUES: Record<KafkaLine, TopicConfigCatalogue> = {
  "3.9": catalogue("3.9", "kafka-3.9.json", "zookeeper", kafka39 as CatalogueFile),
  // The lab's kraft default, apache/kafka:4.4.0. Kafka 4.2 lacks four of its configs (see README, Topics).
  "4.x": catalogue("4.x", "kafka-4.4.json", "kraft", kafka44 as CatalogueFile),
};

export function topicConfigCatalogue(line: KafkaLine): TopicConfigCatalogue {
  return CATALOGUES[line];
}

/** The line a lab mode runs. */
export function kafkaLineOf(mode: "zookeeper" | "kraft"): KafkaLine {
  return mode === "kraft" ? "4.x" : "3.9";
}

/** Whether Kafka reads the config as a comma-separated list (cleanup.policy=compact,delete). */
export function isListConfig(line: KafkaLine, name: string): boolean {
  return CATALOGUES[line].configs.get(name)?.type === "LIST";
}

/** Every problem of one topic's configs, each naming the topic, the config and what is allowed. */
export function checkTopicConfigs(line: KafkaLine, topic: string, configs: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(configs)) {
    const problem = checkTopicConfig(line, name, value);
    if (problem !== undefined) problems.push(`${name} of topic ${topic} ${problem}`);
  }
  return problems;
}

/**
 * Why Kafka of this line would refuse `name=value` (the text goes after "<name> of topic <t> "), or undefined when
 * it accepts it.
 */
export function checkTopicConfig(line: KafkaLine, name: string, value: string): string | undefined {
  const known = CATALOGUES[line];
  const def = known.configs.get(name);
  if (def === undefined) return unknownName(known, name);
  const verdict = parseAndCheck(def, javaTrim(value));
  return verdict === undefined ? undefined : `must be ${verdict}, got ${JSON.stringify(value)}`;
}

function unknownName(known: TopicConfigCatalogue, name: string): string {
  const other = Object.values(CATALOGUES).find((c) => c !== known && c.configs.has(name));
  const base = `is not a topic config of ${known.label}`;
  if (other !== undefined) return `${base}, only of ${other.label}`;
  const close = closestNames(
    name,
    [...known.configs.values()].filter((c) => !c.internal).map((c) => c.name),
  );
  if (close.length > 0)
    return `${base}; did you mean ${close.slice(0, -1).join(", ")}${close.length > 1 ? " or " : ""}${close.at(-1)}?`;
  return `${base}; its topic configs are listed in ${known.file}`;
}

// ---- Kafka's parsing (ConfigDef.parseType) and its validators ----

/** Java's String.trim(): strips the characters up to U+0020 at both ends, and nothing else. */
function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

const INTEGER_LIMITS: Partial<Record<ConfigType, [bigint, bigint]>> = {
  SHORT: [-(2n ** 15n), 2n ** 15n - 1n],
  INT: [-(2n ** 31n), 2n ** 31n - 1n],
  LONG: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Undefined when Kafka accepts the (trimmed) text, else the allowed form. */
function parseAndCheck(def: TopicConfigDef, text: string): string | undefined {
  switch (def.type) {
    case "BOOLEAN":
      return /^(true|false)$/i.test(text) ? undefined : "true or false";
    case "SHORT":
    case "INT":
    case "LONG":
      return checkInteger(def, text);
    case "DOUBLE":
      return checkDouble(def, text);
    case "LIST":
      return checkList(def, text);
    case "STRING":
      return checkString(def, text);
    case "CLASS":
      return /^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u.test(text) ? undefined : "a Java class name";
    case "PASSWORD":
      return undefined;
  }
}

/** Long.parseLong and its kin: an optional sign and decimal digits (Java also takes non-ASCII digits; we do not). */
export function parseKafkaInteger(text: string): bigint | undefined {
  return /^[+-]?[0-9]+$/.test(text) ? BigInt(text) : undefined;
}

function checkInteger(def: TopicConfigDef, text: string): string | undefined {
  const [typeMin, typeMax] = INTEGER_LIMITS[def.type] ?? [0n, 0n];
  const check = def.check.kind === "range" ? def.check : undefined;
  const min = check?.min == null ? typeMin : BigInt(check.min);
  const max = check?.max == null ? typeMax : BigInt(check.max);
  const or = (check?.or ?? []).map((v) => BigInt(v));
  const form = `a whole number (${def.type}) from ${min} to ${max}${or.length > 0 ? `, or ${or.join(" or ")}` : ""}`;
  const n = parseKafkaInteger(text);
  if (n === undefined || n < typeMin || n > typeMax) return form;
  return (n >= min && n <= max) || or.includes(n) ? undefined : form;
}

const DECIMAL = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[fFdD]?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)[fFdD]?$/;

/** Double.parseDouble: Java's decimal and hexadecimal floating-point forms, NaN and Infinity; NaN if not one. */
function parseJavaDouble(text: string): number | undefined {
  if (/^[+-]?(NaN|Infinity)$/.test(text))
    return text.endsWith("NaN") ? NaN : text.startsWith("-") ? -Infinity : Infinity;
  if (DECIMAL.test(text)) return Number(text.replace(/[fFdD]$/, ""));
  const hex = HEX.exec(text);
  if (hex === null) return undefined;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = hex;
  if (whole === "" && fraction === "") return undefined;
  const mantissa = parseInt(whole + fraction || "0", 16) / 16 ** fraction.length;
  return (sign === "-" ? -1 : 1) * mantissa * 2 ** Number(exponent);
}

function checkDouble(def: TopicConfigDef, text: string): string | undefined {
  const check = def.check.kind === "range" ? def.check : undefined;
  const bounds =
    check?.min != null && check.max != null
      ? ` from ${check.min} to ${check.max}`
      : check?.min != null
        ? ` of at least ${check.min}`
        : check?.max != null
          ? ` of at most ${check.max}`
          : "";
  const form = `a number (DOUBLE)${bounds}`;
  const x = parseJavaDouble(text);
  if (x === undefined) return form;
  // ConfigDef.Range compares doubleValue(): NaN passes, as it does in Kafka.
  if (check?.min != null && x < Number(check.min)) return form;
  if (check?.max != null && x > Number(check.max)) return form;
  return undefined;
}

/** ConfigDef's LIST: the trimmed text split at commas with the blanks around them; empty text is the empty list. */
function listItems(text: string): string[] {
  return text === "" ? [] : text.split(/[ \t\n\v\f\r]*,[ \t\n\v\f\r]*/);
}

function checkList(def: TopicConfigDef, text: string): string | undefined {
  const items = listItems(text);
  const check = def.check;
  if (check.kind === "replicaList") {
    const fine = items.every((item) => /^([0-9]+:[0-9]+)?$/.test(item)) || items.join("") === "*";
    return fine ? undefined : "* or a comma-separated list of partition:broker pairs, e.g. 0:1,1:2";
  }
  if (check.kind !== "oneOf") return undefined;
  const form = `a comma-separated list of ${allowedForm(check)}${check.emptyListAllowed ? " (or empty)" : ""}`;
  if (items.length === 0) return check.emptyListAllowed === false ? form : undefined;
  return items.every((item) => item !== "" && isAllowed(check, item)) ? undefined : form;
}

function checkString(def: TopicConfigDef, text: string): string | undefined {
  const check = def.check;
  if (check.kind !== "oneOf") return undefined;
  return isAllowed(check, text) ? undefined : `one of ${allowedForm(check)}`;
}

function isAllowed(check: Extract<ConfigCheck, { kind: "oneOf" }>, item: string): boolean {
  if (!check.caseInsensitive) return check.allowed.includes(item);
  return check.allowed.some((a) => a.toUpperCase() === item.toUpperCase());
}

function allowedForm(check: Extract<ConfigCheck, { kind: "oneOf" }>): string {
  const { allowed } = check;
  const list =
    allowed.length <= 12
      ? allowed.join(", ")
      : `${allowed.slice(0, 3).join(", ")}, ... ${allowed.slice(-3).join(", ")} (${allowed.length} values)`;
  return `${list}${check.caseInsensitive ? " (in any case)" : ""}`;
}

// ---- suggestions ----

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Up to three known names close to a typo: a few edits away, else the ones that contain it or that it contains. */
export function closestNames(name: string, known: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(name.length / 4));
  const scored = known
    .map((k) => ({ k, distance: editDistance(name, k) }))
    .filter((s) => s.distance <= limit)
    .sort((x, y) => x.distance - y.distance || x.k.localeCompare(y.k));
  if (scored.length > 0) return scored.slice(0, 3).map((s) => s.k);
  return known.filter((k) => name.length >= 4 && (k.includes(name) || name.includes(k))).slice(0, 3);
}
