// The same labs on Kubernetes, proven on the shared single-node cluster (kubernetes-cluster.ts): bad input refused
// before anything exists (naming the key); the tutorial lab with hostPorts and with NodePorts; the KRaft 3-broker lab
// with Connect and the registry, a broker pod deleted by hand that its StatefulSet brings back with no acknowledged
// message lost. Each lab through `pulumi up` (inline), checked from the host (OUTSIDE), from a pod (INSIDE), with
// kcat, by the services' smoke test and lab:status, then a preview that plans nothing and a destroy that leaves no
// object and no namespace. The cluster is stopped at the end, also on failure.

import { randomUUID } from "node:crypto";
import { $ } from "zx";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@kubernetes/client-node";
import type { Cluster } from "../../infra/kubernetes/cluster.js";
import { VOLUME_SIZE } from "../../infra/kubernetes/manifests.js";
import { projectRoot } from "../../lib/paths.js";
import type { LabStack } from "../../lib/pulumi-stack.js";
import { labNameOf, type LabTopology } from "../../infra/model/topology.js";
import { runSmokeTests } from "../../lib/smoke.js";
import type { Settings } from "../../lib/local-images.js";
import { brokerFailureRoundTrip, chooseBrokerToStop, type Outage, type Victim } from "./broker-failure.js";
import { checkEveryBroker } from "./brokers.js";
import type { CheckRunner } from "./checks.js";
import { connectRoundTrips } from "./connect.js";
import type { Log } from "./containers.js";
import { kcatRoundTrip } from "./kcat.js";
import { loginOf } from "./sasl.js";
import {
  kubernetesLeftovers,
  removeLabNamespace,
  startCluster,
  stopCluster,
  type TestCluster,
} from "../../lib/kube-cluster.js";
import { labStatusShowsTheLab } from "./lab-status.js";
import { consume, expectCounters, produce } from "./messages.js";
import {
  clusterOf,
  PROJECT,
  topologyOf,
  withPulumiLab,
  type LabDefinition,
  type ProvisionedLab,
} from "./pulumi-lab.js";
import { refusedByPreview, refusedDefinition, type RefusedCase } from "./refused.js";

/** A lab definition for the cluster: the settings that put it there. */
export type KubernetesLabs = (
  cluster: TestCluster,
) => Record<"tutorial" | "nodePort" | "scram" | "persistent" | "kraft", LabDefinition>;

/** The StorageClass the persistent lab claims its volumes from: local volumes the e2e makes by hand. */
export const E2E_STORAGE_CLASS = "kafka-lab-e2e-local";
const PV_ROOT = "/tmp/kafka-lab-e2e-volumes";

/** The settings of every lab on the test cluster: its kubeconfig and context named (the outputs carry them). */
export function onCluster(cluster: Pick<TestCluster, "kubeconfig" | "context">): Settings {
  // The test cluster has no StorageClass: each node keeps its data in an emptyDir (docs/kubernetes.md).
  return { target: "kubernetes", kubeconfig: cluster.kubeconfig, kubeContext: cluster.context, persistence: false };
}

/** The uid of a pod of the lab's namespace, or undefined when there is none of that name. */
async function podUid(api: Cluster, namespace: string, name: string): Promise<string | undefined> {
  return (await api.core.readNamespacedPod({ name, namespace }).catch(() => undefined))?.metadata?.uid;
}

/** Polls until the pod of that name is another one than `oldUid` (its StatefulSet made it again) and ready. */
async function newPodReady(api: Cluster, namespace: string, name: string, oldUid: string | undefined, seconds: number) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const pod = await api.core.readNamespacedPod({ name, namespace }).catch(() => undefined);
    const ready = pod?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    if (pod && pod.metadata?.uid !== oldUid && ready) return;
    if (Date.now() > deadline) throw new Error(`${name} not back and ready within ${seconds}s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A pod deleted by hand (kubectl delete pod, its grace period); its StatefulSet makes it again, waited on until ready. */
function podOutage(topology: LabTopology, log: Log): Outage {
  const api = clusterOf(topology);
  const namespace = topology.labName;
  const podOf = (victim: Victim) => `${victim.spec.key}-0`;
  const old = new Map<string, string | undefined>();
  return {
    how: (victim) => `kubectl delete pod ${podOf(victim)} (grace ${victim.spec.stopGraceSeconds}s)`,
    async stop(victim) {
      old.set(podOf(victim), await podUid(api, namespace, podOf(victim)));
      await api.core.deleteNamespacedPod({ name: podOf(victim), namespace });
      return "deleted; its StatefulSet makes a new pod";
    },
    async recover(victim, seconds) {
      const name = podOf(victim);
      await newPodReady(api, namespace, name, old.get(name), seconds);
      log(`  ${name} is a new pod, ready`);
    },
    // The StatefulSet brings it back by itself.
    restore: async () => undefined,
  };
}

/** What a refusal case sets up on the cluster first, and removes again. */
interface Hooks {
  before?: () => unknown;
  after?: () => Promise<void>;
}

/** What a lab on Kubernetes must refuse before anything exists, each naming its key. */
function refusals(cluster: TestCluster, scratch: string): Array<RefusedCase & Hooks> {
  const on = onCluster(cluster);
  const deaf = join(scratch, "deaf.kubeconfig");
  return [
    {
      what: "persistence on a cluster without a StorageClass",
      trackedFile: "Pulumi.ci.yaml",
      settings: { ...on, persistence: true },
      expected: /kafka-lab:persistence = "true": the cluster has no default StorageClass/,
    },
    {
      what: "a kubeconfig that does not exist",
      trackedFile: "Pulumi.ci.yaml",
      settings: { ...on, kubeconfig: join(scratch, "missing.kubeconfig") },
      expected: /kafka-lab:kubeconfig = ".*missing\.kubeconfig": there is no kubeconfig at/,
    },
    {
      what: "a context the kubeconfig does not have",
      trackedFile: "Pulumi.ci.yaml",
      settings: { ...on, kubeContext: "nowhere" },
      expected: /kafka-lab:kubeContext = "nowhere": .* has no context nowhere/,
    },
    {
      what: "a cluster that does not answer",
      trackedFile: "Pulumi.ci.yaml",
      settings: { ...on, kubeconfig: deaf, kubeContext: "" },
      expected:
        /kafka-lab:kubeContext = "deaf": the cluster of context deaf \(https:\/\/127\.0\.0\.1:1\) does not answer/,
      before: () =>
        writeFileSync(
          deaf,
          "apiVersion: v1\nkind: Config\nclusters: [{name: deaf, cluster: {server: 'https://127.0.0.1:1', insecure-skip-tls-verify: true}}]\n" +
            "users: [{name: deaf, user: {token: none}}]\ncontexts: [{name: deaf, context: {cluster: deaf, user: deaf}}]\ncurrent-context: deaf\n",
        ),
    },
    {
      what: "a namespace of that name that is not the lab's",
      trackedFile: "Pulumi.ci.yaml",
      settings: on,
      expected: /kafka-lab:target = "kubernetes": the namespace kafka-lab-e2e-refused exists .* is not this lab's/,
      before: async () => {
        await cluster.api.core.createNamespace({ body: { metadata: { name: "kafka-lab-e2e-refused" } } });
      },
      after: () => removeForeignNamespace(cluster, "kafka-lab-e2e-refused"),
    },
    {
      what: "a Docker setting, which means nothing on Kubernetes",
      trackedFile: "Pulumi.ci.yaml",
      settings: { ...on, restartPolicy: "always" },
      expected: /kafka-lab:restartPolicy = "always": applies to target docker only/,
    },
  ];
}

/**
 * A StorageClass without a provisioner and `count` local PersistentVolumes of it (folders of this machine, the node,
 * writable by the images' users), for the body; removed afterwards with the folders. The test cluster has no
 * provisioner: this is how a lab's claims get bound here.
 */
async function withLocalVolumes(cluster: TestCluster, count: number, body: () => Promise<void>): Promise<void> {
  const storage = cluster.api.kc.makeApiClient(k8s.StorageV1Api);
  const names = Array.from({ length: count }, (_, i) => `kafka-lab-e2e-pv-${i + 1}`);
  await storage.createStorageClass({
    body: {
      metadata: { name: E2E_STORAGE_CLASS },
      provisioner: "kubernetes.io/no-provisioner",
      volumeBindingMode: "WaitForFirstConsumer",
    },
  });
  try {
    for (const name of names) {
      const path = join(PV_ROOT, name);
      mkdirSync(path, { recursive: true });
      chmodSync(path, 0o777);
      await cluster.api.core.createPersistentVolume({
        body: {
          metadata: { name },
          spec: {
            capacity: { storage: VOLUME_SIZE },
            accessModes: ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Retain",
            storageClassName: E2E_STORAGE_CLASS,
            hostPath: { path, type: "Directory" },
          },
        },
      });
    }
    await body();
  } finally {
    for (const name of names) await cluster.api.core.deletePersistentVolume({ name }).catch(() => undefined);
    await storage.deleteStorageClass({ name: E2E_STORAGE_CLASS }).catch(() => undefined);
    rmSync(PV_ROOT, { recursive: true, force: true });
  }
}

/** Messages written, every pod of the lab deleted by hand, the pods back: the messages are still there. */
async function dataSurvivesPods(lab: ProvisionedLab, log: Log): Promise<void> {
  const { topology } = lab;
  const bootstrap = topology.outputs.bootstrapServers.value;
  const topic = topology.topics[0]!.name;
  const run = randomUUID();
  await produce(bootstrap, topic, run, 0, 100);
  const api = clusterOf(topology);
  const namespace = topology.labName;
  const pods = topology.containers.map((c) => `${c.key}-0`);
  const before = await Promise.all(pods.map((name) => podUid(api, namespace, name)));
  await Promise.all(pods.map((name) => api.core.deleteNamespacedPod({ name, namespace })));
  log(`  wrote 100 messages to ${topic}, then deleted ${pods.join(", ")}`);
  for (const [i, name] of pods.entries()) await newPodReady(api, namespace, name, before[i], 120);
  const claims = await api.core.listNamespacedPersistentVolumeClaim({ namespace });
  log(
    `  the pods are back on their claims: ${claims.items.map((c) => `${c.metadata?.name} -> ${c.spec?.volumeName}`).join(", ")}`,
  );
  expectCounters(
    "a fresh group after every pod was re-made",
    await consume(bootstrap, topic, run, `pods-${run}`, 100),
    0,
    100,
  );
}

/**
 * SCRAM on Kubernetes: lab:smoke's path logs in (the password from the stack's secret); the Job that made the user
 * read it from its Secret's file, so the password is in none of the lab's pods' specs, commands or env, nor in the
 * Job's log.
 */
async function scramChecks(checks: CheckRunner, lab: ProvisionedLab, log: Log): Promise<void> {
  const { title } = lab.definition;
  const password = lab.definition.secrets!.outsidePassword!;
  await checks.run(`${title}: npm run lab:smoke's path logs in through OUTSIDE with the stack's secret`, async () => {
    const failed = await runSmokeTests(lab.stack.name);
    if (failed !== 0) throw new Error(`the smoke tests exited ${failed}`);
  });
  await checks.run(`${title}: round trip with kcat (librdkafka) logging in with SCRAM through OUTSIDE`, () =>
    kcatRoundTrip(lab.topology.outputs.bootstrapServers.value, "topic_test", 50, log, loginOf(lab.topology, password)),
  );
  await checks.run(
    `${title}: the SCRAM user's Job read the password from a Secret's file: in no pod's spec and not in its log`,
    async () => {
      const api = clusterOf(lab.topology);
      const namespace = lab.topology.labName;
      const pods = (await api.core.listNamespacedPod({ namespace })).items;
      const job = pods.find((p) => p.metadata?.labels?.["job-name"] === "scram-user");
      if (!job || job.status?.phase !== "Succeeded") throw new Error("no succeeded pod of the scram-user Job");
      if (JSON.stringify(pods.map((p) => p.spec)).includes(password))
        throw new Error("a pod's spec holds the password");
      const jobLog = await api.core.readNamespacedPodLog({ name: job.metadata!.name!, namespace });
      if (jobLog.includes(password)) throw new Error("the Job's log holds the password");
      log(`  ${job.metadata!.name}: ${jobLog.trim()}; ${pods.length} pods, none with the password in its spec`);
    },
  );
}

/** `npm run lab:down`, as a user runs it: exit 0, having found nothing of the lab on the cluster. */
async function labDown(stack: LabStack): Promise<void> {
  const run = await $({
    cwd: projectRoot,
    nothrow: true,
    quiet: true,
  })`npm run --silent lab:down -- --stack ${stack.name}`;
  const said = run.stdout.trim().split("\n").at(-1) ?? "";
  if (run.exitCode !== 0) throw new Error(`lab:down exited ${run.exitCode}: ${run.stderr.trim()}`);
  if (!/no namespace, pod or Service of it is left/.test(said)) throw new Error(`lab:down said: ${said}`);
}

async function removeForeignNamespace(cluster: TestCluster, name: string): Promise<void> {
  await cluster.api.core.deleteNamespace({ name });
  while ((await cluster.api.namespaceLabels(name)) !== undefined) await new Promise((r) => setTimeout(r, 500));
}

async function tutorialChecks(checks: CheckRunner, lab: ProvisionedLab, count: number, log: Log): Promise<void> {
  const { title } = lab.definition;
  const { topology } = lab;
  await checks.run(`${title}: round trip with kcat (librdkafka) through OUTSIDE`, () =>
    kcatRoundTrip(topology.outputs.bootstrapServers.value, "orders", count, log),
  );
  await checks.run(`${title}: npm run lab:smoke's path: OUTSIDE from the host, INSIDE from a pod`, async () => {
    const failed = await runSmokeTests(lab.stack.name);
    if (failed !== 0) throw new Error(`the smoke tests exited ${failed}`);
  });
  await checks.run(`${title}: npm run lab:status shows the brokers, controller, partitions and a group's lag`, () =>
    labStatusShowsTheLab(lab, log),
  );
}

async function kraftChecks(checks: CheckRunner, lab: ProvisionedLab, count: number, log: Log): Promise<void> {
  const { title } = lab.definition;
  const { topology } = lab;
  const replicated = topology.topics.find((t) => t.replicationFactor === 3)!;
  await checks.run(`${title}: every broker's OUTSIDE address answers and advertises the cluster`, () =>
    checkEveryBroker(topology.outputs.bootstrapServers.value, log),
  );
  await connectRoundTrips(checks, lab, count, log);
  const victim = await chooseBrokerToStop(topology, replicated.name).catch(() => undefined);
  await checks.run(
    `${title}: no acknowledged message lost while the pod of ${victim === undefined ? "a partition leader" : `broker ${victim}`} is deleted by hand and its StatefulSet brings it back (idempotent acks=all producer, topic ${replicated.name})`,
    () =>
      brokerFailureRoundTrip(topology, podOutage(topology, log), log, {
        topic: replicated.name,
        ...(victim === undefined ? {} : { brokerId: victim }),
      }),
  );
  await checks.run(`${title}: npm run lab:status shows the brokers, controller, partitions and a group's lag`, () =>
    labStatusShowsTheLab(lab, log),
  );
}

/**
 * One refusal: the case's own setup, the preflight's and the program's refusal (refused.ts), then nothing of the
 * refused lab on the cluster either (but a namespace the case made itself, which it removes).
 */
async function refusedOnCluster(cluster: TestCluster, c: RefusedCase & Hooks, log: Log): Promise<void> {
  await c.before?.();
  try {
    await refusedByPreview(c, log);
    const labName = labNameOf({ project: PROJECT, stack: refusedDefinition(c).stack });
    const left = (await kubernetesLeftovers(cluster.api, labName)).filter(
      (l) => !c.after || !l.startsWith("namespace"),
    );
    if (left.length > 0) throw new Error(`something was created on the cluster: ${left.join(", ")}`);
  } finally {
    await c.after?.();
  }
}

/**
 * `common(lab, topic)`: what every lab is checked for on either target (its outputs, its provider, the round trips
 * from the host and from inside), here on the cluster.
 */
export async function kubernetesLabs(
  checks: CheckRunner,
  labsOn: KubernetesLabs,
  images: string[],
  count: number,
  log: Log,
  common: (lab: ProvisionedLab, topic: string) => Promise<void>,
): Promise<void> {
  let cluster: TestCluster | undefined;
  const scratch = mkdtempSync(join(tmpdir(), "kafka-lab-k8s-"));
  try {
    await checks.run(
      "the shared Kubernetes cluster starts (up.sh) and holds the local test images (load-image.sh)",
      async () => {
        cluster = await startCluster(images, log);
      },
    );
    if (!cluster) return;
    const labs = labsOn(cluster);
    for (const lab of Object.values(labs))
      await removeLabNamespace(cluster.api, labNameOf({ project: PROJECT, stack: lab.stack }), log);
    for (const refusal of refusals(cluster, scratch)) {
      await checks.run(
        `${refusedDefinition(refusal).title} on Kubernetes: refused before anything is created, naming the key`,
        () => refusedOnCluster(cluster!, refusal, log),
      );
    }
    await withPulumiLab(checks, labs.tutorial, log, async (lab) => {
      await common(lab, "topic_test");
      await tutorialChecks(checks, lab, count, log);
    });
    // Taken down as a user does it: npm run lab:down, which must say that the cluster holds nothing of it.
    await withPulumiLab(checks, labs.nodePort, log, (lab) => common(lab, "topic_test"), { destroyWith: labDown });
    await withPulumiLab(checks, labs.scram, log, (lab) => scramChecks(checks, lab, log));
    const claims = topologyOf(labs.persistent).containers.reduce((n, c) => n + c.dataDirs.length, 0);
    await withLocalVolumes(cluster, claims, () =>
      withPulumiLab(checks, labs.persistent, log, async (lab) => {
        await common(lab, "topic_test");
        await checks.run(
          `${lab.definition.title}: every pod deleted by hand comes back on its claims, and the messages with it`,
          () => dataSurvivesPods(lab, log),
        );
      }),
    );
    await withPulumiLab(checks, labs.kraft, log, async (lab) => {
      await common(lab, lab.topology.topics.find((t) => t.replicationFactor === 3)!.name);
      await kraftChecks(checks, lab, count, log);
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await checks.run("the shared Kubernetes cluster stops (down.sh) and leaves nothing behind", () => stopCluster(log));
  }
}
