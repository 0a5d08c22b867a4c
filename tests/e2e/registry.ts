// The schema registry of a lab made by `pulumi up`, beyond the services' smoke test: which registry it is (from its
// own API), and that an incompatible change of a declared schema fails `pulumi up` with the registry's own words
// while the subject keeps the schema it had.

import kafkajs from "kafkajs";
import { outputText } from "../../infra/model/topology.js";
import type { CheckRunner } from "./checks.js";
import type { Log } from "./containers.js";
import { labStackOf, type ProvisionedLab } from "./pulumi-lab.js";

const INCOMPATIBLE = "tests/e2e/fixtures/counter-incompatible.avsc";

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Apicurio's own name and version, from its core API beside the Confluent-compatible one. */
async function apicurioIdentity(lab: ProvisionedLab): Promise<string> {
  const api = outputText(lab.topology, "schemaRegistryUrl");
  const url = api.replace(/\/apis\/ccompat\/v7$/, "/apis/registry/v3/system/info");
  const info = await getJson(url);
  const { name, version } = (info.body ?? {}) as { name?: string; version?: string };
  if (info.status !== 200 || !/apicurio/i.test(String(name)))
    throw new Error(`${url} answered ${info.status} ${JSON.stringify(info.body)}, not Apicurio Registry's system info`);
  return `${name} ${version}`;
}

/** An incompatible counter-value fails `pulumi up`, naming kafka-lab:schemas, with the registry's words. */
async function incompatibleRefused(lab: ProvisionedLab, subject: string, log: Log): Promise<void> {
  const api = outputText(lab.topology, "schemaRegistryUrl");
  const before = await getJson(`${api}/subjects/${subject}/versions/latest`);
  const changed = {
    ...lab.definition,
    overrides: { ...lab.definition.overrides, schemas: { [subject]: INCOMPATIBLE } },
  };
  const stack = await labStackOf(changed, log).open();
  const failure = await stack.up().then(
    () => undefined,
    (error: Error) => error,
  );
  try {
    if (!failure) throw new Error(`pulumi up registered ${INCOMPATIBLE} for ${subject}`);
    const line =
      failure.message.split("\n").find((l) => l.includes("kafka-lab:schemas")) ?? failure.message.slice(0, 600);
    log(`  ${line.trim()}`);
    if (
      !/refused .*counter-incompatible\.avsc for subject counter-value \(kafka-lab:schemas\): HTTP 409: .*Incompatible/i.test(
        line,
      )
    )
      throw new Error(`the error does not give the registry's refusal: ${line}`);
    const after = await getJson(`${api}/subjects/${subject}/versions/latest`);
    if (JSON.stringify(after.body) !== JSON.stringify(before.body))
      throw new Error(`the subject changed: ${JSON.stringify(before.body)} -> ${JSON.stringify(after.body)}`);
  } finally {
    await lab.stack.up(); // back to the declared schema, so the lab's last preview plans nothing
  }
}

/** Apicurio's KafkaSQL journal, where the registry keeps every schema: a topic of the lab's brokers. */
async function journalOnTheBrokers(lab: ProvisionedLab): Promise<string> {
  const admin = new kafkajs.Kafka({
    brokers: lab.topology.outputs.bootstrapServers.value.split(","),
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes("kafkasql-journal"))
      throw new Error(`no kafkasql-journal among the brokers' topics: ${topics.join(", ")}`);
    const offsets = await admin.fetchTopicOffsets("kafkasql-journal");
    return `kafkasql-journal holds ${offsets.reduce((n, p) => n + Number(p.high), 0)} records`;
  } finally {
    await admin.disconnect();
  }
}

export async function registryChecks(checks: CheckRunner, lab: ProvisionedLab, log: Log): Promise<void> {
  const { title } = lab.definition;
  const [subject] = lab.topology.outputs.schemaSubjects.value;
  if (!subject) throw new Error(`${title} declares no schema to check the registry with`);
  await checks.run(`${title}: the registry is the real Apicurio Registry (its own system info)`, async () =>
    log(`  the lab's registry: ${await apicurioIdentity(lab)}`),
  );
  await checks.run(`${title}: the registry keeps its schemas in a topic of the lab's brokers (KafkaSQL)`, async () =>
    log(`  ${await journalOnTheBrokers(lab)}`),
  );
  await checks.run(
    `${title}: an incompatible change of ${subject} fails pulumi up with the registry's own words; the subject keeps its schema`,
    () => incompatibleRefused(lab, subject, log),
  );
}
