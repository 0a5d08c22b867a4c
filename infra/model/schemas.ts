// Schemas declared in config: subject -> file, registered with the schema registry on `pulumi up`. The file's
// ending says its type (.avsc Avro, .json JSON Schema, .proto Protobuf). Pure: the caller hands in a reader, and
// a schema that does not parse is refused before anything is created; the registry judges the rest.

export type SchemaType = "AVRO" | "JSON" | "PROTOBUF";

export interface SchemaSpec {
  subject: string;
  /** The file, as declared (relative to the project root). */
  file: string;
  schemaType: SchemaType;
  /** The file's text. */
  schema: string;
}

export interface SchemaProblem {
  value: string;
  allowed: string;
}

/** Reads a declared file; undefined when it cannot be read. */
export type ReadFile = (path: string) => string | undefined;

const SUBJECT = /^[A-Za-z0-9._:-]{1,255}$/;
const TYPES: Record<string, SchemaType> = { ".avsc": "AVRO", ".json": "JSON", ".proto": "PROTOBUF" };

function typeOf(file: string): SchemaType | undefined {
  const dot = file.lastIndexOf(".");
  return dot < 0 ? undefined : TYPES[file.slice(dot).toLowerCase()];
}

/** Why an Avro or JSON schema text does not parse, or undefined when it does. */
function jsonProblem(schemaType: SchemaType, text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `does not parse as JSON: ${(error as Error).message}`;
  }
  if (
    schemaType === "AVRO" &&
    !(
      typeof parsed === "string" ||
      Array.isArray(parsed) ||
      (typeof parsed === "object" && parsed !== null && "type" in parsed)
    )
  ) {
    return 'is not an Avro schema (a type name, a union list, or an object with a "type")';
  }
  if (schemaType === "JSON" && (typeof parsed !== "object" || parsed === null))
    return "is not a JSON Schema (an object)";
  return undefined;
}

/** One declared schema, or the reason it was refused. */
export function parseSchemaSpec(subject: string, file: unknown, readFile: ReadFile): SchemaSpec | string {
  if (!SUBJECT.test(subject))
    return `subject ${JSON.stringify(subject)} may use only letters, digits, '.', '_', ':' and '-'`;
  if (typeof file !== "string" || file === "")
    return `the schema of ${subject} must be a file name such as schemas/order.avsc`;
  const schemaType = typeOf(file);
  if (!schemaType)
    return `${file} (subject ${subject}) must end in .avsc (Avro), .json (JSON Schema) or .proto (Protobuf)`;
  const schema = readFile(file);
  if (schema === undefined) return `cannot read ${file} (subject ${subject}); paths are relative to the project root`;
  if (schema.trim() === "") return `${file} (subject ${subject}) is empty`;
  const problem = schemaType === "PROTOBUF" ? undefined : jsonProblem(schemaType, schema);
  return problem ? `${file} (subject ${subject}) ${problem}` : { subject, file, schemaType, schema };
}

export function parseSchemaSpecs(
  declared: Readonly<Record<string, unknown>>,
  readFile: ReadFile,
): { schemas: SchemaSpec[]; problems: SchemaProblem[] } {
  const schemas: SchemaSpec[] = [];
  const problems: SchemaProblem[] = [];
  for (const [subject, file] of Object.entries(declared)) {
    const parsed = parseSchemaSpec(subject, file, readFile);
    if (typeof parsed === "string") problems.push({ value: `${subject}: ${String(file)}`, allowed: parsed });
    else schemas.push(parsed);
  }
  return { schemas, problems };
}
