// npm run test:e2e: real Kafka labs on the local Docker engine, each created by the real `pulumi up` on a stack
// of its own (the example stack files with the images switched to the local test images and ports that do not
// clash), checked from the host (OUTSIDE), from a container on the lab network (INSIDE) and with kcat, then a
// preview that must plan nothing, then `pulumi destroy`, after which nothing of the lab may be left. Also: a
// broken lab that must fail, a password in plain text that must be refused, and the README's quick start on a
// fresh clone. Prints "e2e: N passed, N failed, N skipped". A missing pulumi CLI is a failure, not a skip.
//
// Options: --only fail-fast,tutorial,connect,cluster,kraft,sasl,persistence,wrong-host,refused,api,grow,grow-kraft,
// side-by-side,remote,kubernetes,fresh-clone (default: all);
// --repeat N (run each selected lab N times in a row and report runs and failures per lab); --count N (messages
// per smoke test, default 200); --keep (leave the tutorial lab running; no leftover check).

import { CommandError } from "@pulumi/pulumi/automation/index.js";
import { argv, $ } from "zx";
import { api, containerRssMb, imageExists, inspectContainer, volumeNames } from "../../lib/docker.js";
import { requireToolchain } from "../../lib/pulumi-stack.js";
import { CLIENT_IMAGE, LOCAL_IMAGES, localLab, type Settings } from "../../lib/local-images.js";
import { configFromStackFile, readTrackedStackFile } from "../../lib/stack-files.js";
import { formatTopicSpec } from "../../infra/model/topics.js";
import { connectorChanges, connectRoundTrips, PIPELINE } from "./connect.js";
import { registryChecks } from "./registry.js";
import { growShrinkChecks, KEPT, kraftModeSteps, zookeeperModeSteps } from "./grow-shrink.js";
import { sideBySide } from "./side-by-side.js";
import { remoteEngineLabs } from "./remote-lab.js";
import { labStatusOfNoLab, labStatusShowsTheLab } from "./lab-status.js";
import { refusedByPreview, refusedDefinition, type RefusedCase } from "./refused.js";
import { portBlock } from "../../lib/ports.js";
import { runSmokeTests } from "../../lib/smoke.js";
import { LAB_LABEL, outputText } from "../../infra/model/topology.js";
import { CheckRunner } from "./checks.js";
import { leftoversOf, removeLabelled } from "./containers.js";
import { kcatRoundTrip } from "./kcat.js";
import { runNodeScript, smokeInside, smokeOutside } from "./smoke.js";
import { checkEveryBroker } from "./brokers.js";
import { persistenceChecks } from "./persistence.js";
import { failFast } from "./fail-fast.js";
import { brokerFailureRoundTrip, chooseBrokerToStop, dockerOutage, killOutage, type Victim } from "./broker-failure.js";
import {
  loginOf,
  loginWorks,
  passwordChanges,
  passwordNotInClear,
  passwordNowhere,
  runPassword,
  wrongPasswordFailsFast,
} from "./sasl.js";
import { driftRestored, labUpHeals, labUpReports, networkDriftRestored } from "./drift.js";
import { freshCloneQuickStart } from "./fresh-clone.js";
import { apiChecks } from "./api.js";
import { consoleShowsTheLab } from "./console.js";
import { E2E_STORAGE_CLASS, kubernetesLabs, onCluster, type KubernetesLabs } from "./kubernetes.js";
import { stopClusterIfStarted, type TestCluster } from "../../lib/kube-cluster.js";
import {
  destroyLab,
  PINNED_PROVIDERS,
  providerPinned,
  engineWarnings,
  PLUGIN_ON_PATH,
  openStack,
  PROJECT,
  topologyOf,
  withPulumiLab,
  type LabDefinition,
  type ProvisionedLab,
} from "./pulumi-lab.js";
import { trackedFilesUnchanged } from "./tracked-files.js";
import { acquireRunLock } from "./run-lock.js";

const log = (line: string) => console.log(line);
/**
 * What a provider says of an input it does not know, drops or will not honour. The others (the toolchain's note about
 * plugins on PATH, the Kubernetes provider's "containers with unready status" while it waits) are listed, not failed.
 */
const ABOUT_INPUTS = /propert|field|input|argument|unknown|unrecogni|unsupported|not supported|ignor|deprecat|invalid/i;
const count = Number(argv.count ?? 200);
const repeat = Number(argv.repeat ?? 1);
const ALL = [
  "fail-fast",
  "tutorial",
  "connect",
  "cluster",
  "kraft",
  "sasl",
  "persistence",
  "wrong-host",
  "refused",
  "api",
  "grow",
  "grow-kraft",
  "side-by-side",
  "remote",
  "kubernetes",
  "fresh-clone",
] as const;
type LabName = (typeof ALL)[number];
const only = String(argv.only ?? ALL.join(",")).split(",") as LabName[];
for (const name of only)
  if (!ALL.includes(name)) throw new Error(`--only: unknown lab ${name}; choose from ${ALL.join(", ")}`);
if (!Number.isInteger(repeat) || repeat < 1)
  throw new Error(`--repeat must be a whole number of at least 1, got ${argv.repeat}`);
const checks = new CheckRunner(log);
// The INSIDE smoke test of lab:smoke (lib/smoke.ts) runs in this image rather than the default one, which cannot be pulled here.
process.env.KAFKA_LAB_CLIENT_IMAGE = CLIENT_IMAGE;

/**
 * A lab from a tracked stack file, on the local test images, with the host ports of its block of the e2e range
 * and the given settings on top.
 */
function e2eLab(
  title: string,
  stack: string,
  trackedFile: string,
  block: number,
  overrides: Settings,
  secrets?: LabDefinition["secrets"],
): LabDefinition {
  const { settings } = localLab(
    trackedFile,
    { project: PROJECT, stack },
    { ...portBlock("e2e", block).settings, ...overrides },
    secrets,
  );
  return { title, stack, trackedFile, overrides: settings, ...(secrets ? { secrets } : {}) };
}

/** A lab from a tracked stack file on the local test images and nothing else: its ports are the lab's to choose. */
function exampleLab(title: string, stack: string, trackedFile: string): LabDefinition {
  const { settings } = localLab(trackedFile, { project: PROJECT, stack });
  return { title, stack, trackedFile, overrides: settings };
}

/** The FileStream pipeline of Pulumi.connect.yaml, to run on other labs too. */
const connectPreset = readTrackedStackFile("Pulumi.connect.yaml").config ?? {};
const withConnect = (topics: string[]): Settings => ({
  connect: true,
  connectors: connectPreset["kafka-lab:connectors"] as Array<Record<string, unknown>>,
  topics: [...topics, `${PIPELINE.in}:1:1`, `${PIPELINE.out}:1:1`],
});
const kraftTopics = configFromStackFile("Pulumi.kraft.yaml").topics.map(formatTopicSpec);

const saslPassword = runPassword();
/** Bad input that pulumi preview must refuse before anything exists, each naming its key. */
const REFUSALS: RefusedCase[] = [
  {
    what: "a password set in plain text",
    trackedFile: "Pulumi.ci.yaml",
    settings: { outsideAuth: "scram-sha-256", outsidePassword: `plain-${saslPassword}` },
    expected: /kafka-lab:outsidePassword = \[secret\]: is stored in plain text; .*lab:secret/,
    secret: `plain-${saslPassword}`,
  },
  {
    what: "a schema that does not parse",
    trackedFile: "Pulumi.connect.yaml",
    settings: { schemas: { "counter-value": "tests/e2e/fixtures/broken.avsc" } },
    expected: /kafka-lab:schemas = .*broken\.avsc \(subject counter-value\) does not parse as JSON/,
  },
  {
    what: "Connect's port on a broker's port",
    trackedFile: "Pulumi.connect.yaml",
    settings: { connectPort: portBlock("e2e", 6).settings.outsidePort },
    expected: /kafka-lab:connectPort = .*overlaps the brokers' OUTSIDE ports/,
  },
];
const labs = {
  tutorial: e2eLab("tutorial lab", "ci", "Pulumi.ci.yaml", 0, {}),
  cluster: e2eLab("cluster (3 ZooKeeper + 3 brokers)", "e2e-cluster", "Pulumi.cluster.yaml", 1, {}),
  kraft: e2eLab(
    "KRaft cluster (3 brokers, Kafka 4.x) with Kafka Connect",
    "e2e-kraft",
    "Pulumi.kraft.yaml",
    2,
    withConnect(kraftTopics),
  ),
  connect: e2eLab(
    "Connect lab (tutorial + Kafka Connect + schema registry)",
    "e2e-connect",
    "Pulumi.connect.yaml",
    7,
    {},
  ),
  api: e2eLab("startLab() lab", "e2e-api", "Pulumi.ci.yaml", 10, {}),
  persistence: e2eLab("persistence", "e2e-persistence", "Pulumi.ci.yaml", 3, { persistence: true, keepVolumes: true }),
  wrongHost: e2eLab("broken lab", "e2e-wrong-host", "Pulumi.ci.yaml", 4, {
    outsideHost: "wrong-host.invalid",
    topics: [],
  }),
  grow: e2eLab("growing lab (ZooKeeper mode)", "e2e-grow", "Pulumi.ci.yaml", 5, {
    topics: ["topic_test:1:1", `${KEPT.topic}:1:1`],
  }),
  growKraft: e2eLab("growing KRaft lab", "e2e-grow-kraft", "Pulumi.kraft.yaml", 9, {
    // Without the example's replicated:3:3, so that going to 2 brokers is refused for the quorum alone.
    topics: ["topic_test:1:1", `${KEPT.topic}:1:1`],
  }),
  sideDev: exampleLab("side-by-side dev lab", "e2e-side-dev", "Pulumi.dev.yaml"),
  sideCluster: exampleLab("side-by-side cluster", "e2e-side-cluster", "Pulumi.cluster.yaml"),
  sasl: e2eLab(
    "SCRAM lab",
    "e2e-sasl",
    "Pulumi.ci.yaml",
    8,
    { outsideAuth: "scram-sha-256" },
    { outsidePassword: saslPassword },
  ),
} satisfies Record<string, LabDefinition>;
/** The labs on the shared Kubernetes cluster (kubernetes.ts), in port blocks of their own. */
const kubernetesLabsOn: KubernetesLabs = (cluster) => ({
  tutorial: e2eLab("tutorial lab on Kubernetes", "e2e-k8s", "Pulumi.kubernetes.yaml", 11, onCluster(cluster)),
  nodePort: e2eLab("tutorial lab on Kubernetes through NodePorts", "e2e-k8s-nodeport", "Pulumi.kubernetes.yaml", 13, {
    ...onCluster(cluster),
    kubernetesOutside: "nodePort",
    outsideHost: cluster.nodeAddress,
    // The lab chooses its NodePorts: the e2e's blocks lie outside Kubernetes' NodePort range.
    outsidePort: 0,
  }),
  scram: e2eLab(
    "SCRAM lab on Kubernetes",
    "e2e-k8s-scram",
    "Pulumi.kubernetes.yaml",
    15,
    { ...onCluster(cluster), outsideAuth: "scram-sha-256" },
    { outsidePassword: saslPassword },
  ),
  persistent: e2eLab(
    "tutorial lab on Kubernetes with persistence",
    "e2e-k8s-persistent",
    "Pulumi.kubernetes.yaml",
    14,
    {
      ...onCluster(cluster),
      persistence: true,
      storageClass: E2E_STORAGE_CLASS,
    },
  ),
  kraft: e2eLab(
    "KRaft cluster on Kubernetes (3 brokers, Kafka 4.x) with Kafka Connect",
    "e2e-k8s-kraft",
    "Pulumi.kraft.yaml",
    12,
    { ...withConnect(kraftTopics), ...onCluster(cluster) },
  ),
});
const kubernetesImages = [
  ...new Set([
    ...Object.values(kubernetesLabsOn({ kubeconfig: "", context: "", nodeAddress: "" } as TestCluster)).flatMap(
      (lab) => topologyOf(lab).images,
    ),
    CLIENT_IMAGE,
  ]),
];
const topologies = Object.values(labs).map((lab) => topologyOf(lab));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    log(
      `\n${signal}: removing the labs' containers, networks and volumes before exiting (their stacks stay; pulumi refresh forgets them)`,
    );
    for (const topology of topologies) await removeLabelled(topology.labName, log).catch(() => undefined);
    await stopClusterIfStarted(log);
    process.exit(130);
  });
}

async function roundTrips(lab: ProvisionedLab, topic: string): Promise<void> {
  const { title } = lab.definition;
  const outputs = await lab.stack.outputs();
  const bootstrap = outputs.bootstrapServers;
  await checks.run(`${title}: the stack outputs are the topology's, every one of them`, async () => {
    const expected = Object.fromEntries(
      Object.entries(lab.topology.outputs).map(([name, output]) => [name, output.value]),
    );
    const got: Record<string, unknown> = outputs;
    if (JSON.stringify(got, Object.keys(got).sort()) !== JSON.stringify(expected, Object.keys(expected).sort())) {
      throw new Error(`outputs ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
    }
  });
  const { target } = lab.topology.config;
  await checks.run(
    `${title}: every ${target} resource in the state goes through the one ${target} provider, pinned at ${PINNED_PROVIDERS[target].version}`,
    async () => log(`  ${await providerPinned(lab.stack, target)}`),
  );
  await checks.run(`${title}: round trip from the host through OUTSIDE (${bootstrap}), topic ${topic}`, () =>
    smokeOutside(bootstrap, topic, count, log),
  );
  await checks.run(
    `${title}: round trip from a container on the lab network through INSIDE (${outputText(lab.topology, "internalBootstrapServers")})`,
    () => smokeInside(lab.topology, topic, count, log),
  );
}

async function memoryReport(lab: ProvisionedLab): Promise<void> {
  const { topology } = lab;
  await checks.run(
    `${lab.definition.title}: memory of each container (RSS) within the limits the engine enforces, no swap on top, stop grace and restart policy set`,
    async () => {
      let total = 0;
      for (const spec of topology.containers) {
        const id = lab.ids.get(spec.key)!;
        const rss = await containerRssMb(id);
        const info = await inspectContainer(id);
        const limitMb = info.HostConfig.Memory / (1024 * 1024);
        total += rss;
        log(
          `  ${spec.key}: ${rss} MiB RSS (engine limit ${limitMb} MiB, with swap ${info.HostConfig.MemorySwap / (1024 * 1024)} MiB, stop grace ${info.Config.StopTimeout}s, restart ${info.HostConfig.RestartPolicy.Name})`,
        );
        if (limitMb !== spec.memoryMb)
          throw new Error(
            `${spec.key}: the engine's memory limit is ${limitMb} MiB, the topology says ${spec.memoryMb}`,
          );
        if (info.HostConfig.MemorySwap !== info.HostConfig.Memory)
          throw new Error(`${spec.key}: memory with swap is ${info.HostConfig.MemorySwap} bytes, not the limit`);
        if (rss >= limitMb) throw new Error(`${spec.key}: ${rss} MiB RSS reaches its ${limitMb} MiB limit`);
        if (info.Config.StopTimeout !== spec.stopGraceSeconds)
          throw new Error(`${spec.key}: stop grace ${info.Config.StopTimeout}s, expected ${spec.stopGraceSeconds}s`);
        if (info.HostConfig.RestartPolicy.Name !== topology.config.restartPolicy)
          throw new Error(`${spec.key}: restart policy ${info.HostConfig.RestartPolicy.Name}`);
      }
      log(`  lab total: ${total} MiB`);
    },
  );
}

const runLab: Record<LabName, () => Promise<void>> = {
  "fail-fast": async () => {
    await checks.run(
      "a dead or wrong address fails fast: round-trip.ts exits non-zero within 10 s naming the address and OUTSIDE (closed port, mute TCP server, HTTP server)",
      () => failFast(log),
    );
  },

  tutorial: () =>
    withPulumiLab(
      checks,
      labs.tutorial,
      log,
      async (lab) => {
        await roundTrips(lab, "topic_test");
        const bootstrap = lab.topology.outputs.bootstrapServers.value;
        await checks.run("tutorial lab: round trip with kcat (librdkafka) through OUTSIDE", () =>
          kcatRoundTrip(bootstrap, "orders", count, log),
        );
        await memoryReport(lab);
        await checks.run(
          "tutorial lab: npm run lab:console in a terminal (tmux) shows the lab's topics and a consumer group's lag; Ctrl-C ends it (exit 0), no console container left",
          () => consoleShowsTheLab(lab, log),
        );
        await checks.run(
          "tutorial lab: npm run lab:up starts a broker stopped by hand and makes a topic deleted by hand again, saying what it repaired; the same containers, smoke tests pass, no changes planned",
          () => labUpHeals(lab, "kafka-1", "orders", log),
        );
        await checks.run(
          "tutorial lab: broker removed by hand is restored by pulumi up --refresh; smoke tests pass; no changes planned",
          () => driftRestored(lab, "kafka-1", log),
        );
        await checks.run(
          "tutorial lab: the network and every container removed by hand are re-created (labels too) by pulumi up --refresh; smoke tests pass; no changes planned",
          () => networkDriftRestored(lab, log),
        );
      },
      { keep: Boolean(argv.keep) },
    ),

  connect: () =>
    withPulumiLab(checks, labs.connect, log, async (lab) => {
      await roundTrips(lab, "topic_test");
      await connectRoundTrips(checks, lab, count, log);
      await memoryReport(lab);
      await connectorChanges(checks, lab, log);
      await registryChecks(checks, lab, log);
    }),

  cluster: () => clusterChecks(labs.cluster, "kafka-2"),
  kraft: () => clusterChecks(labs.kraft, undefined, { connect: true, killed: true }),

  sasl: () =>
    withPulumiLab(checks, labs.sasl, log, async (lab) => {
      const { topology } = lab;
      await checks.run("SCRAM lab: the round trip logs in through OUTSIDE with the right password", () =>
        loginWorks(topology, saslPassword, log),
      );
      await checks.run(
        "SCRAM lab: a wrong password fails within 10 s with an authentication error; no login fails too",
        () => wrongPasswordFailsFast(topology, saslPassword, log),
      );
      await checks.run("SCRAM lab: round trip with kcat (librdkafka) logging in with SCRAM through OUTSIDE", () =>
        kcatRoundTrip(topology.outputs.bootstrapServers.value, "topic_test", 50, log, loginOf(topology, saslPassword)),
      );
      await checks.run("SCRAM lab: INSIDE stays PLAINTEXT for the lab's own containers", () =>
        smokeInside(topology, "topic_test", count, log),
      );
      await checks.run(
        "SCRAM lab: npm run lab:smoke's path finds the login itself (stack outputs, the secret in this machine's stack file)",
        async () => {
          const failed = await runSmokeTests(lab.stack.name);
          if (failed !== 0) throw new Error(`the smoke tests exited ${failed}`);
        },
      );
      await checks.run(
        "SCRAM lab: npm run lab:console --outside logs in with the lab's SCRAM settings: the topics and a group's lag on the screen, the password in no command line and not in the console's inspect; Ctrl-C ends it",
        () => consoleShowsTheLab(lab, log, saslPassword),
      );
      await checks.run("SCRAM lab: the password is in no container's env, command, labels or log", () =>
        passwordNowhere(topology, lab.ids, saslPassword, log),
      );
      await checks.run(
        "SCRAM lab: the password is encrypted in the stack file and the state, in clear nowhere",
        async () => passwordNotInClear(lab.stack, saslPassword, log),
      );
      await checks.run(
        "SCRAM lab: a new password set with lab:secret and up logs in and the old one no longer; neither is on any process's command line while the user is made again; the lab's last preview and destroy run on it",
        () => passwordChanges(lab, saslPassword, log),
      );
    }),

  persistence: () => persistenceChecks(checks, labs.persistence, log),

  "wrong-host": async () => {
    // The harness must be able to fail: a broker that advertises a host the client cannot resolve. Its containers
    // are healthy, but topics and readiness cannot be set up through such a listener, so pulumi up fails there.
    const definition = labs.wrongHost;
    const topology = topologyOf(definition);
    const stack = await openStack(definition, log);
    try {
      await checks.run(
        "broken lab: pulumi up fails at consumer-group readiness, naming the OUTSIDE listener and outsideHost",
        async () => {
          const failure = await stack.up().then(
            () => undefined,
            (error: Error) => error,
          );
          if (!failure) throw new Error("pulumi up passed through a listener advertising wrong-host.invalid");
          const message = failure instanceof CommandError ? failure.message : String(failure);
          const line = message.split("\n").find((l) => /OUTSIDE listener/.test(l)) ?? message.slice(0, 500);
          log(`  ${line.trim()}`);
          if (!/kafka-lab:outsideHost/.test(line))
            throw new Error(`the error does not name the OUTSIDE listener and kafka-lab:outsideHost: ${line}`);
        },
      );
      await checks.run(
        "broken lab: a wrong advertised host fails the OUTSIDE smoke, naming the listener and the address",
        async () => {
          const advertised = topology.outputs.bootstrapServers.value;
          const bootstrap = advertised.replace("wrong-host.invalid", "127.0.0.1");
          const round = ["--bootstrap", bootstrap, "--listener", "OUTSIDE", "--count", "5", "--timeout-ms", "10000"];
          const result = await runNodeScript(["smoke-tests/round-trip.ts", ...round], log);
          const { output } = result;
          if (result.exitCode === 0)
            throw new Error(`the smoke test passed against a broker advertising ${advertised}`);
          if (!output.includes("OUTSIDE") || !output.includes(advertised)) {
            throw new Error(
              `exit code ${result.exitCode}, but the message does not name the OUTSIDE listener and ${advertised}`,
            );
          }
        },
      );
    } finally {
      await checks.run("broken lab: pulumi destroy leaves nothing", () => destroyLab(stack, topology, log));
    }
  },

  refused: async () => {
    for (const refusal of REFUSALS) {
      await checks.run(
        `${refusedDefinition(refusal).title}: pulumi preview stops before anything is created, naming the key`,
        () => refusedByPreview(refusal, log),
      );
    }
  },

  api: () => apiChecks(checks, labs.api, count, log),

  grow: () =>
    withPulumiLab(checks, labs.grow, log, (lab) =>
      growShrinkChecks(
        checks,
        lab,
        zookeeperModeSteps(lab.topology.labName, lab.topology.topics.map(formatTopicSpec)),
        log,
      ),
    ),

  "grow-kraft": () =>
    withPulumiLab(checks, labs.growKraft, log, (lab) =>
      growShrinkChecks(checks, lab, kraftModeSteps(lab.topology.labName), log),
    ),

  "side-by-side": () => sideBySide(checks, [labs.sideDev, labs.sideCluster], log),

  remote: () => remoteEngineLabs(checks, log),

  kubernetes: () => kubernetesLabs(checks, kubernetesLabsOn, kubernetesImages, count, log, roundTrips),

  "fresh-clone": async () => {
    await checks.run(
      "README quick start on fresh clones: npm ci && npm run lab:up, lab:smoke, lab:down (again with another passphrase), then plain pulumi stack init, lab:up, plain stack output, the smoke tests, plain destroy, and the README's startLab() test; git status clean after each",
      () => freshCloneQuickStart(log),
    );
  },
};

/** `connect`: the lab runs Connect; `killed`: a broker is also killed (SIGKILL) and brought back by lab:up. */
async function clusterChecks(
  definition: LabDefinition,
  driftKey?: string,
  { connect = false, killed = false } = {},
): Promise<void> {
  const { title } = definition;
  await withPulumiLab(checks, definition, log, async (lab) => {
    const { topology } = lab;
    const replicated = topology.topics.find((t) => t.replicationFactor === 3)!;
    await checks.run(`${title}: every broker's OUTSIDE address answers and advertises the cluster`, () =>
      checkEveryBroker(topology.outputs.bootstrapServers.value, log),
    );
    await roundTrips(lab, replicated.name);
    if (connect) await connectRoundTrips(checks, lab, count, log);
    await memoryReport(lab);
    // It stops a broker (and starts it again). The check itself fails if this broker no longer leads.
    const victim = await chooseBrokerToStop(topology, replicated.name).catch(() => undefined);
    await checks.run(
      `${title}: no acknowledged message lost while ${victim === undefined ? "a partition leader" : `broker ${victim}`} is stopped and restarted (idempotent acks=all producer, topic ${replicated.name})`,
      () =>
        brokerFailureRoundTrip(topology, dockerOutage(topology, lab.ids, log), log, {
          topic: replicated.name,
          ...(victim === undefined ? {} : { brokerId: victim }),
        }),
    );
    if (killed) await killedBrokerHealed(lab, replicated.name);
    await checks.run(`${title}: npm run lab:status shows the brokers, controller, partitions and a group's lag`, () =>
      labStatusShowsTheLab(lab, log),
    );
    await checks.run("npm run lab:status of a stack without a lab says so, exit code 3", () =>
      labStatusOfNoLab("e2e-no-such-lab", log),
    );
    if (driftKey) {
      await checks.run(
        `${title}: ${driftKey} removed by hand is restored by pulumi up --refresh; smoke tests pass; no changes planned`,
        () => driftRestored(lab, driftKey, log),
      );
    }
  });
}

/** A partition leader killed (SIGKILL) mid-stream stays down until lab:up, which says it found it and brings it back. */
async function killedBrokerHealed(lab: ProvisionedLab, topic: string): Promise<void> {
  const { topology } = lab;
  const victim = await chooseBrokerToStop(topology, topic).catch(() => undefined);
  const heal = (v: Victim) =>
    labUpReports(lab, [new RegExp(`healthy-${v.spec.key}: its container was found exited`)], log);
  await checks.run(
    `${lab.definition.title}: no acknowledged message lost while ${victim === undefined ? "a partition leader" : `broker ${victim}`} is killed (docker kill) and brought back by npm run lab:up, which says what it repaired (topic ${topic}, min.insync.replicas=2)`,
    () =>
      brokerFailureRoundTrip(topology, killOutage(topology, lab.ids, heal, log), log, {
        topic,
        ...(victim === undefined ? {} : { brokerId: victim }),
      }),
  );
}

try {
  acquireRunLock();
} catch (error) {
  console.error(`e2e: ${(error as Error).message}`);
  process.exit(2);
}
const volumesBefore = await volumeNames();
const untouched = trackedFilesUnchanged();

const toolchain = await checks.run(
  "the pulumi CLI and a Node.js that runs the program are here (a missing CLI fails the run)",
  async () => {
    await requireToolchain();
    log(`  ${(await $({ quiet: true })`pulumi version`).stdout.trim()}, node ${process.version}`);
  },
);

await checks.run("local test images exist", async () => {
  const needed = [...new Set([...topologies.flatMap((t) => t.images), CLIENT_IMAGE, LOCAL_IMAGES.consoleImage])];
  const missing = [];
  for (const image of needed) if (!(await imageExists(image))) missing.push(image);
  if (missing.length > 0)
    throw new Error(
      `missing ${missing.join(", ")}: run bash test-images/build.sh and bash test-images/node-client/build.sh`,
    );
});

await checks.run("no leftovers from an earlier run", async () => {
  for (const topology of topologies) await removeLabelled(topology.labName, log);
});

const runs = new Map<LabName, { runs: number; failed: number }>();
for (const name of only) {
  if (!toolchain && name !== "fail-fast") continue;
  for (let i = 1; i <= repeat; i++) {
    if (repeat > 1) log(`\n=== ${name}: run ${i} of ${repeat}`);
    const failuresBefore = checks.failures;
    await runLab[name]();
    const tally = runs.get(name) ?? { runs: 0, failed: 0 };
    runs.set(name, { runs: tally.runs + 1, failed: tally.failed + (checks.failures > failuresBefore ? 1 : 0) });
  }
}

/** Volumes that containers of no lab of this run mount now: someone else's lab, started during the run. */
async function volumesOfOtherContainers(): Promise<Set<string>> {
  const ours = new Set(topologies.map((t) => t.labName));
  const containers = await api<
    Array<{ Labels: Record<string, string> | null; Mounts: Array<{ Name?: string }> | null }>
  >("GET", "/containers/json?all=1");
  return new Set(
    containers
      .filter((c) => !ours.has(c.Labels?.[LAB_LABEL] ?? ""))
      .flatMap((c) => (c.Mounts ?? []).map((m) => m.Name ?? "").filter((name) => name !== "")),
  );
}

if (!argv.keep) {
  await checks.run("no container, network or volume of any lab is left, labelled or anonymous", async () => {
    const left = [];
    for (const topology of topologies) left.push(...(await leftoversOf(topology.labName)));
    const others = await volumesOfOtherContainers();
    const newVolumes = [...(await volumeNames())].filter((v) => !volumesBefore.has(v) && !others.has(v));
    left.push(...newVolumes.map((v) => `volume ${v} (created during the run)`));
    if (left.length > 0) throw new Error(`left behind: ${left.join(", ")}`);
  });
}
await checks.run(
  "every warning the engine printed is listed; none about a property or input a provider does not know or ignores",
  async () => {
    for (const [text, times] of engineWarnings) log(`  ${times}x ${text}`);
    if (engineWarnings.size === 0) log("  none");
    const aboutInputs = [...engineWarnings.keys()].filter(
      (text) => ABOUT_INPUTS.test(text) && !PLUGIN_ON_PATH.test(text),
    );
    if (aboutInputs.length > 0) throw new Error(`warnings about the program's inputs:\n${aboutInputs.join("\n")}`);
  },
);
await checks.run("the tracked stack files are unchanged (pulumi wrote only this machine's copies)", async () =>
  untouched.verify(log),
);

if (repeat > 1) {
  log("\nruns per lab:");
  for (const [name, tally] of runs) log(`  ${name}: ${tally.runs} runs, ${tally.failed} failed`);
}
process.exitCode = checks.finish("e2e");
