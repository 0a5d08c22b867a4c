// Kafka Connect and the schema registry in a lab made by `pulumi up`: records produced to connect_in come back from
// connect_out through the FileStream pipeline (lines-out writes them to a file in the worker, lines-in reads them
// back); the services' smoke test finds every connector RUNNING and every schema; a changed connector config is an
// update in place; a connector whose task fails, or whose class does not exist, fails `pulumi up` with Connect's
// own words and leaves no connector behind.

import type { ConnectorSpec } from "../../infra/model/connectors.js";
import { outputText } from "../../infra/model/topology.js";
import { CLIENT_IMAGE } from "../../lib/local-images.js";
import { plannedChanges } from "../../lib/pulumi-stack.js";
import { configFromStackFile, rawSettings } from "../../lib/stack-files.js";
import type { CheckRunner } from "./checks.js";
import type { Log } from "./containers.js";
import { labStackOf, type LabDefinition, type ProvisionedLab } from "./pulumi-lab.js";
import { runSmoke, smokeInside, smokeOutside } from "./smoke.js";

/** The FileStream pipeline of Pulumi.connect.yaml: what is produced to IN comes back from OUT. */
export const PIPELINE = { in: "connect_in", out: "connect_out" } as const;

async function connectJson(lab: ProvisionedLab, path: string): Promise<unknown> {
  const response = await fetch(`${outputText(lab.topology, "connectUrl")}${path}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return response.json();
}

/** The lab's connectors as the program reads them: from the overrides, else from the tracked stack file. */
function connectorsOf(definition: LabDefinition): ConnectorSpec[] {
  return configFromStackFile(definition.trackedFile, rawSettings(definition.overrides)).connectors;
}

/** The lab's definition with its connectors changed by `change`. */
function withConnectors(
  definition: LabDefinition,
  change: (connectors: ConnectorSpec[]) => ConnectorSpec[],
): LabDefinition {
  const connectors = change(connectorsOf(definition)) as unknown as Array<Record<string, unknown>>;
  return { ...definition, overrides: { ...definition.overrides, connectors } };
}

/** Round trips through Connect and the services' smoke test, from the host and from the lab network. */
export async function connectRoundTrips(
  checks: CheckRunner,
  lab: ProvisionedLab,
  count: number,
  log: Log,
): Promise<void> {
  const { title } = lab.definition;
  const bootstrap = lab.topology.outputs.bootstrapServers.value;
  await checks.run(
    `${title}: records produced to ${PIPELINE.in} come back from ${PIPELINE.out} through Connect's FileStream pipeline, from the host`,
    () => smokeOutside(bootstrap, PIPELINE.in, count, log, ["--consume-topic", PIPELINE.out]),
  );
  await checks.run(`${title}: the same through Connect from a container on the lab network`, () =>
    smokeInside(lab.topology, PIPELINE.in, count, log, ["--consume-topic", PIPELINE.out]),
  );
  await checks.run(
    `${title}: the services' smoke test from the host: every connector and task RUNNING, every schema fetched back`,
    () => runSmoke("smoke-tests/services.ts", ["--stack", lab.stack.name], log),
  );
  await checks.run(`${title}: the services' smoke test from a container on the lab network`, () =>
    runSmoke("smoke-tests/inside.ts", ["--services", "--stack", lab.stack.name, "--client-image", CLIENT_IMAGE], log),
  );
}

/** A changed connector config: preview plans an update of that connector only, and up applies it in place. */
async function connectorUpdatedInPlace(lab: ProvisionedLab, log: Log): Promise<void> {
  const changed = withConnectors(lab.definition, (connectors) =>
    connectors.map((c) => (c.name === "lines-in" ? { ...c, config: { ...c.config, "batch.size": "500" } } : c)),
  );
  const stack = await labStackOf(changed, log).open();
  const preview = await stack.preview();
  const planned = plannedChanges(preview);
  log(`  preview: ${JSON.stringify(preview.changeSummary)}`);
  if (
    JSON.stringify(planned) !== JSON.stringify({ update: 1 }) ||
    !/~ +pulumi-nodejs:dynamic\/kafka-lab:KafkaConnector connector-lines-in/.test(preview.stdout)
  ) {
    throw new Error(
      `expected one update, of connector-lines-in, got ${JSON.stringify(planned)}:\n${preview.stdout
        .split("\n")
        .filter((l) => /^\s*[-+~]/.test(l))
        .join("\n")}`,
    );
  }
  await stack.up();
  const config = (await connectJson(lab, "/connectors/lines-in/config")) as Record<string, string>;
  log(`  lines-in's config on the worker: batch.size ${config["batch.size"]}`);
  if (config["batch.size"] !== "500") throw new Error(`the worker still has batch.size ${config["batch.size"]}`);
  await lab.stack.up(); // back to the declared config, so the lab's last preview plans nothing
}

/** `pulumi up` with one more connector must fail with `expected`, and leave no such connector on the worker. */
async function connectorRefused(lab: ProvisionedLab, extra: ConnectorSpec, expected: RegExp, log: Log): Promise<void> {
  const stack = await labStackOf(
    withConnectors(lab.definition, (connectors) => [...connectors, extra]),
    log,
  ).open();
  const failure = await stack.up().then(
    () => undefined,
    (error: Error) => error,
  );
  try {
    if (!failure) throw new Error(`pulumi up accepted connector ${extra.name}`);
    const line =
      failure.message.split("\n").find((l) => l.includes("kafka-lab:connectors")) ?? failure.message.slice(0, 600);
    log(`  ${line.trim()}`);
    if (!expected.test(line)) throw new Error(`the error does not say ${expected}: ${line}`);
    const left = (await connectJson(lab, "/connectors")) as string[];
    if (left.includes(extra.name))
      throw new Error(`connector ${extra.name} was left on the worker: ${left.join(", ")}`);
  } finally {
    await lab.stack.up();
  }
}

/** The checks of a lab with Connect beyond the round trips. */
export async function connectorChanges(checks: CheckRunner, lab: ProvisionedLab, log: Log): Promise<void> {
  const { title } = lab.definition;
  await checks.run(
    `${title}: a changed connector config is an update in place (preview: 1 update), applied by pulumi up`,
    () => connectorUpdatedInPlace(lab, log),
  );
  await checks.run(
    `${title}: a connector whose task FAILS fails pulumi up with the task's trace summarised, and is not left on the worker`,
    () =>
      connectorRefused(
        lab,
        {
          name: "broken-sink",
          class: "FileStreamSink",
          config: { topics: PIPELINE.in, file: "/nonexistent/kafka-lab/out.txt" },
        },
        /broken-sink.*FAILED.*(NoSuchFile|FileNotFound|No such file)/,
        log,
      ),
  );
  await checks.run(
    `${title}: a connector class that does not exist fails pulumi up with Connect's message, naming kafka-lab:connectors`,
    () =>
      connectorRefused(
        lab,
        { name: "no-such-class", class: "org.example.NoSuchConnector", config: {} },
        /no-such-class.*org\.example\.NoSuchConnector/,
        log,
      ),
  );
}
