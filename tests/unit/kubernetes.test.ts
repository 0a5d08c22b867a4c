// The Kubernetes target, pure parts: its keys and what they refuse, and the objects manifests.ts plans from the same
// topology the Docker target realises. (The e2e proves them on a real cluster.)

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { clusterSettingsOf } from "../../infra/kubernetes/checks.js";
import { kubeconfigPath } from "../../infra/kubernetes/cluster.js";
import {
  namesOf,
  nodePortsOf,
  scramJobOf,
  statefulSetOf,
  SCRAM_DIR,
  SCRAM_FILE,
} from "../../infra/kubernetes/manifests.js";
import { parseLabConfig } from "../../infra/model/checks.js";
import { ConfigError, type RawConfig } from "../../infra/model/config.js";
import { scramCredential } from "../../infra/model/services/broker.js";
import { buildTopology } from "../../infra/model/topology.js";

const K8S = { target: "kubernetes", persistence: "false" };

function problems(raw: RawConfig): Array<{ key: string; allowed: string }> {
  try {
    parseLabConfig(raw);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
}

const topologyOf = (raw: RawConfig, password = "") =>
  buildTopology(parseLabConfig({ ...raw, ...(password ? { outsidePassword: password } : {}) }), {
    project: "kafka-lab",
    stack: "dev",
  });

describe("the target keys", () => {
  it("refuse the Docker keys on Kubernetes, and the Kubernetes keys on Docker, naming each", () => {
    const onKubernetes = problems({
      ...K8S,
      restartPolicy: "always",
      dockerSshOpts: '["-i","k"]',
      keepImages: "false",
    });
    assert.deepEqual(
      onKubernetes.map((p) => p.key),
      ["restartPolicy", "keepImages", "dockerSshOpts"],
    );
    assert.ok(onKubernetes.every((p) => /applies to target docker only/.test(p.allowed)));
    const onDocker = problems({ kubeContext: "kind", storageClass: "fast" });
    assert.deepEqual(
      onDocker.map((p) => p.key),
      ["kubeContext", "storageClass"],
    );
  });

  it("refuse keepVolumes on Kubernetes: destroy removes the namespace with its claims", () => {
    const [problem] = problems({ target: "kubernetes", keepVolumes: "true" });
    assert.equal(problem?.key, "keepVolumes");
  });

  it("keep NodePorts in Kubernetes' range, and bindAddress out of it", () => {
    const nodePorts = { ...K8S, kubernetesOutside: "nodePort" };
    assert.match(problems({ ...nodePorts, outsidePort: "9092" })[0]!.allowed, /NodePorts.*30000-32767/);
    assert.equal(problems({ ...nodePorts, bindAddress: "0.0.0.0" })[0]?.key, "bindAddress");
    assert.deepEqual(problems({ ...nodePorts, outsidePort: "31500" }), []);
    const chosen = topologyOf(nodePorts).containers.find((c) => c.role === "broker")!.ports[0]!.external;
    assert.ok(chosen >= 31000 && chosen <= 32767, `the lab chose ${chosen}`);
  });

  it("give the outputs of a lab on Kubernetes", () => {
    const { outputs } = topologyOf({ ...K8S, kubeconfig: "/k/config", kubeContext: "lab" });
    assert.equal(outputs.target.value, "kubernetes");
    assert.equal(outputs.namespace.value, "kafka-lab-dev");
    assert.equal(outputs.networkName.value, "");
    assert.equal(outputs.kubeconfig.value, "/k/config");
    assert.equal(outputs.kubeContext.value, "lab");
  });
});

describe("the cluster the keys name", () => {
  it("is the key's file, else KUBECONFIG's first, else ~/.kube/config; relative to the project root", () => {
    assert.equal(kubeconfigPath("/etc/k", "/p"), "/etc/k");
    assert.equal(kubeconfigPath("k/config", "/p"), "/p/k/config");
    assert.equal(kubeconfigPath("", "/p", { KUBECONFIG: "/a:/b" }), "/a");
    assert.match(kubeconfigPath("", "/p", {}), /\.kube\/config$/);
  });

  it("refuses a missing kubeconfig and a context it does not have, naming the key", () => {
    const dir = mkdtempSync(join(tmpdir(), "kafka-lab-kubeconfig-"));
    try {
      const file = join(dir, "config");
      const missing = clusterSettingsOf({ kubeconfig: file, kubeContext: "" }, dir);
      assert.ok("key" in missing && missing.key === "kubeconfig");
      writeFileSync(
        file,
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]\n" +
          "users: [{name: u, user: {token: t}}]\ncontexts: [{name: lab, context: {cluster: c, user: u}}]\ncurrent-context: lab\n",
      );
      assert.deepEqual(clusterSettingsOf({ kubeconfig: file, kubeContext: "" }, dir), {
        kubeconfig: file,
        context: "lab",
      });
      const other = clusterSettingsOf({ kubeconfig: file, kubeContext: "prod" }, dir);
      assert.ok("key" in other && other.key === "kubeContext" && /has no context prod; it has lab/.test(other.allowed));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the objects of a lab on Kubernetes", () => {
  const topology = topologyOf(K8S);
  const [zookeeper, broker] = topology.containers;

  it("are, per container, a StatefulSet of one pod with the container's own env, probe and memory", () => {
    const set = statefulSetOf(topology, broker!);
    assert.equal(set.metadata.name, "kafka-1");
    assert.equal(set.metadata.namespace, "kafka-lab-dev");
    assert.equal(set.spec.replicas, 1);
    const pod = set.spec.template as { spec: Record<string, any> };
    assert.equal(pod.spec.enableServiceLinks, false, "a Service named kafka would inject KAFKA_PORT");
    assert.equal(pod.spec.terminationGracePeriodSeconds, broker!.stopGraceSeconds);
    const [container] = pod.spec.containers;
    assert.deepEqual(
      Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value])),
      broker!.env,
    );
    assert.deepEqual(container.readinessProbe.exec.command, broker!.healthcheck.test.slice(1));
    assert.deepEqual(container.resources, {
      requests: { memory: `${broker!.memoryMb}Mi` },
      limits: { memory: `${broker!.memoryMb}Mi` },
    });
  });

  it("publish OUTSIDE as a hostPort at bindAddress, or through a NodePort Service", () => {
    const pod = statefulSetOf(topology, broker!).spec.template as { spec: Record<string, any> };
    assert.deepEqual(pod.spec.containers[0].ports, [{ containerPort: 9092, hostPort: 9092, hostIP: "127.0.0.1" }]);
    const nodePorts = topologyOf({ ...K8S, kubernetesOutside: "nodePort", outsidePort: "31092" });
    const [service] = nodePortsOf(nodePorts, nodePorts.containers[1]!);
    assert.equal(service!.spec.type, "NodePort");
    assert.deepEqual(service!.spec.ports, [{ name: "p9092", port: 9092, targetPort: 9092, nodePort: 31092 }]);
    const hostless = statefulSetOf(nodePorts, nodePorts.containers[1]!).spec.template as { spec: Record<string, any> };
    assert.deepEqual(hostless.spec.containers[0].ports, [{ containerPort: 9092 }]);
  });

  it("keep INSIDE names: a headless Service per name, resolvable before the pod is ready", () => {
    const services = namesOf(topology, broker!);
    assert.deepEqual(
      services.map((s) => s.metadata.name),
      ["kafka", "kafka-1"],
    );
    for (const s of services) {
      assert.equal(s.spec.clusterIP, "None");
      assert.equal(s.spec.publishNotReadyAddresses, true);
    }
    assert.deepEqual(
      namesOf(topology, zookeeper!).map((s) => s.metadata.name),
      ["zookeeper", "zookeeper-1"],
    );
  });

  it("keep data in emptyDirs without persistence, in claims of the storage class with it", () => {
    const pod = statefulSetOf(topology, zookeeper!).spec.template as { spec: Record<string, any> };
    assert.deepEqual(pod.spec.volumes, [
      { name: "data", emptyDir: {} },
      { name: "log", emptyDir: {} },
    ]);
    const persistent = topologyOf({ target: "kubernetes", storageClass: "fast" });
    const set = statefulSetOf(persistent, persistent.containers[1]!);
    const claims = set.spec.volumeClaimTemplates as Array<{ metadata: { name: string }; spec: Record<string, any> }>;
    assert.deepEqual(
      claims.map((c) => [c.metadata.name, c.spec.storageClassName]),
      [["data", "fast"]],
    );
    assert.deepEqual((set.spec.template as { spec: Record<string, any> }).spec.volumes, []);
  });

  it("create the SCRAM user with a Job that reads the credential from a Secret's file, never a command line", () => {
    const password = "s3cret-pass-word";
    const scram = topologyOf({ ...K8S, outsideAuth: "scram-sha-256" }, password);
    const step = scram.setup.find((s) => s.kind === "scram-user");
    assert.ok(step?.kind === "scram-user");
    const job = scramJobOf(scram, step, "rev-1");
    assert.ok(!JSON.stringify(job).includes(password), "the Job holds no password");
    const pod = job.spec.template as { metadata: { annotations: Record<string, string> }; spec: Record<string, any> };
    assert.match(pod.spec.containers[0].command.join(" "), new RegExp(`--add-config-file ${SCRAM_DIR}/${SCRAM_FILE}`));
    assert.deepEqual(pod.spec.volumes, [{ name: "credential", secret: { secretName: "scram-user" } }]);
    assert.equal(Object.values(pod.metadata.annotations)[0], "rev-1");
    assert.equal(scramCredential("SCRAM-SHA-256", password), `SCRAM-SHA-256=iterations=8192,password=${password}\n`);
  });
});
