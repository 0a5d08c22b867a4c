// Kafka Connect connectors declared in config: {name, class, config}. Pure: what can be checked here is checked
// here (names, class-name syntax, config values); whether the class exists on the worker is Connect's to say
// (the connector provider asks its validation endpoint before creating anything).

export interface ConnectorSpec {
  name: string;
  /** Connector class: fully qualified, or the short alias Connect accepts (FileStreamSource). */
  class: string;
  /** The connector's own settings, as strings (without name and connector.class, which come from above). */
  config: Record<string, string>;
}

export interface ConnectorProblem {
  value: string;
  allowed: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const JAVA_CLASS = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;
const FIELDS = ["name", "class", "config"];

function configOf(name: string, config: unknown): Record<string, string> | string {
  if (config === undefined) return {};
  if (typeof config !== "object" || config === null || Array.isArray(config))
    return `config of ${name} must be a map of settings`;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "name" || key === "connector.class")
      return `config of ${name} must not set ${key}: it comes from the connector's ${key === "name" ? "name" : "class"}`;
    if (!["string", "number", "boolean"].includes(typeof value))
      return `config ${key} of ${name} must be a string, a number or true/false`;
    out[key] = String(value);
  }
  return out;
}

/** One declared connector, or the reason it was refused. */
export function parseConnectorSpec(item: unknown): ConnectorSpec | string {
  const usage =
    "must look like {name: file-source, class: FileStreamSource, config: {file: /tmp/in.txt, topic: lines}}";
  if (typeof item !== "object" || item === null || Array.isArray(item)) return usage;
  const fields = item as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0)
    return `has ${unknown.join(", ")}, which a connector does not take (name, class, config); it ${usage}`;
  const { name, class: className, config } = fields;
  if (typeof name !== "string" || !NAME.test(name)) {
    return `name ${JSON.stringify(name ?? "")} must be 1 to 100 letters, digits, '.', '_' or '-' (starting with a letter or digit)`;
  }
  if (typeof className !== "string" || !JAVA_CLASS.test(className)) {
    return `class of ${name} must be a Java class name such as FileStreamSource or org.apache.kafka.connect.file.FileStreamSourceConnector`;
  }
  const parsed = configOf(name, config);
  return typeof parsed === "string" ? parsed : { name, class: className, config: parsed };
}

/** Every declared connector; names must be unique. */
export function parseConnectorSpecs(items: readonly unknown[]): {
  connectors: ConnectorSpec[];
  problems: ConnectorProblem[];
} {
  const connectors: ConnectorSpec[] = [];
  const problems: ConnectorProblem[] = [];
  for (const item of items) {
    const parsed = parseConnectorSpec(item);
    if (typeof parsed === "string") problems.push({ value: JSON.stringify(item), allowed: parsed });
    else if (connectors.some((c) => c.name === parsed.name))
      problems.push({ value: JSON.stringify(item), allowed: `connector ${parsed.name} is declared twice` });
    else connectors.push(parsed);
  }
  return { connectors, problems };
}
