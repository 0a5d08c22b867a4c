// Smoke test of the lab's services beyond the brokers: Kafka Connect (the worker answers, every connector and
// task is RUNNING) and the schema registry (every declared subject's latest schema is fetched back, by subject and
// by id). From the host by default; smoke-tests/inside.ts runs it on the lab network with the internal URLs.
//
//   npx tsx smoke-tests/services.ts [--stack dev] [--connect-url URL [--connectors A,B]] [--registry-url URL [--subjects X]]
//
// Exit codes: 0 ok, 1 a check failed, 2 usage/config error, 3 a service did not answer.

import { argv, chalk, updateArgv } from "zx";
import { EXIT, UsageError } from "./errors.js";
import { checkFlags, parseStack, stringFlag, urlFlag } from "./options.js";
import { stackOutput } from "./stack.js";

const HELP = `Usage: npx tsx smoke-tests/services.ts [flags]

Checks the lab's Kafka Connect worker (every connector and task RUNNING) and schema registry (each subject's
latest schema fetched back by subject and by id). Without URLs it reads the stack's outputs connectUrl,
schemaRegistryUrl, connectors and schemaSubjects; a service the stack does not run is skipped.

  --stack NAME          Pulumi stack to read (else KAFKA_LAB_STACK, else dev)
  --connect-url URL     Kafka Connect's REST API (inside the lab network: http://connect:8083)
  --connectors A,B      with --connect-url: connectors that must be on the worker (from the stack: its connectors)
  --registry-url URL    the schema registry (inside the lab network: http://schema-registry:8081)
  --subjects X,Y        with --registry-url: subjects that must be registered (from the stack: its schemaSubjects)

Exit codes: 0 ok, 1 a check failed, 2 usage/config error, 3 a service did not answer.`;

class Unreachable extends Error {}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new Unreachable(`${url} did not answer: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: Array<{ id: number; state: string; trace?: string }>;
}

/** Problems with the Connect worker: connectors not RUNNING, or expected ones missing. */
async function checkConnect(url: string, expected: string[] | undefined): Promise<string[]> {
  const root = await getJson(`${url}/`);
  if (root.status !== 200) return [`Kafka Connect at ${url} answered ${root.status}`];
  say(`Kafka Connect ${(root.body as { version?: string }).version ?? "?"} at ${url}`);
  const answer = await getJson(`${url}/connectors?expand=status`);
  const connectors = answer.body as Record<string, { status: ConnectorStatus }>;
  const problems: string[] = [];
  for (const name of expected ?? []) if (!(name in connectors)) problems.push(`connector ${name} is not on the worker`);
  for (const [name, { status }] of Object.entries(connectors)) {
    const tasks = status.tasks.map((t) => `${t.id} ${t.state}`).join(", ");
    say(`  connector ${name}: ${status.connector.state}, tasks [${tasks}]`);
    const bad = [status.connector, ...status.tasks].filter((t) => t.state !== "RUNNING");
    if (bad.length > 0 || status.tasks.length === 0)
      problems.push(`connector ${name} is ${status.connector.state} with tasks [${tasks || "none"}]`);
  }
  return problems;
}

/** Problems with the registry: a subject whose latest schema cannot be fetched back, or comes back different by id. */
async function checkRegistry(url: string, expected: string[] | undefined): Promise<string[]> {
  const listed = await getJson(`${url}/subjects`);
  if (listed.status !== 200) return [`the schema registry at ${url} answered ${listed.status}`];
  const subjects = expected ?? (listed.body as string[]);
  say(`schema registry at ${url}: subjects ${(listed.body as string[]).join(", ") || "(none)"}`);
  const problems: string[] = [];
  for (const subject of subjects) {
    const latest = await getJson(`${url}/subjects/${encodeURIComponent(subject)}/versions/latest`);
    const { id, version, schema } = latest.body as { id?: number; version?: number; schema?: string };
    if (latest.status !== 200 || id === undefined) {
      problems.push(`subject ${subject}: ${latest.status} ${JSON.stringify(latest.body)}`);
      continue;
    }
    const byId = await getJson(`${url}/schemas/ids/${id}`);
    const same = byId.status === 200 && (byId.body as { schema?: string }).schema === schema;
    say(
      `  subject ${subject}: version ${version}, id ${id}, ${schema?.length ?? 0} characters; by id: ${same ? "the same" : "DIFFERENT"}`,
    );
    if (!same) problems.push(`subject ${subject}: schema ${id} fetched by id is not the latest version's schema`);
  }
  return problems;
}

/** A URL from the flag, else from the stack's output (empty: the stack does not run that service). */
async function urlOf(
  flag: string,
  output: "connectUrl" | "schemaRegistryUrl",
  stack: string | undefined,
): Promise<string | undefined> {
  const { url: given } = urlFlag(argv, flag, "url");
  if (given !== undefined) return given;
  if (stack === undefined) return undefined;
  const value = await stackOutput(output, stack, `--${flag} URL`, { allowEmpty: true });
  return value === "" ? undefined : value;
}

/** The names that must be there: from the flag, else from the stack's output; undefined: none in particular. */
async function expectedNames(
  flag: string,
  output: "connectors" | "schemaSubjects",
  stack: string | undefined,
): Promise<string[] | undefined> {
  const given = stringFlag(argv, flag);
  if (given !== undefined) return given.split(",").filter(Boolean);
  return stack === undefined ? undefined : await stackOutput(output, stack, "the URL flags");
}

async function main(): Promise<number> {
  const strings = ["stack", "connect-url", "connectors", "registry-url", "subjects"];
  updateArgv(process.argv.slice(2), { string: strings, boolean: ["help"] });
  checkFlags(argv, [...strings, "help"]);
  if (argv.help) {
    say(HELP);
    return EXIT.ok;
  }
  // With explicit URLs the stack is not read (inside the lab network there is no pulumi to ask).
  const fromStack = stringFlag(argv, "connect-url") === undefined && stringFlag(argv, "registry-url") === undefined;
  const stack = fromStack ? parseStack(argv, process.env) : undefined;
  const connectUrl = await urlOf("connect-url", "connectUrl", stack);
  const registryUrl = await urlOf("registry-url", "schemaRegistryUrl", stack);
  if (!connectUrl && !registryUrl) {
    say("SKIPPED: the lab runs neither Kafka Connect nor a schema registry");
    return EXIT.ok;
  }
  const problems = [
    ...(connectUrl ? await checkConnect(connectUrl, await expectedNames("connectors", "connectors", stack)) : []),
    ...(registryUrl ? await checkRegistry(registryUrl, await expectedNames("subjects", "schemaSubjects", stack)) : []),
  ];
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${chalk.red("FAIL:")} ${p}\n`);
    return EXIT.verifyFailed;
  }
  say(chalk.green("OK: the lab's services answer and hold what the stack declares"));
  return EXIT.ok;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`${chalk.red("error:")} ${(error as Error).message}\n`);
  process.exitCode =
    error instanceof UsageError ? EXIT.usage : error instanceof Unreachable ? EXIT.unreachable : EXIT.verifyFailed;
}
