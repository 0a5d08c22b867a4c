// The Kubernetes objects of a lab, planned from the same topology the Docker target realises: a namespace named after
// the lab; per container a StatefulSet of one pod (its own env, ports and identity, as on Docker) and a headless
// Service for every name it is reached by (INSIDE stays `kafka-1:9093`); its probe as the readinessProbe; its memory
// as requests and limits; its data folders as volume claims (persistence) or emptyDirs; its published ports as
// hostPorts or NodePort Services. Pure: plain objects (typed as the provider's inputs, a type-only import) that
// kubernetes-lab.ts declares as they are.

/** An object of the Kubernetes API as the provider takes it: its metadata and its spec. */
export interface Manifest<Spec> {
  metadata: k8s.meta.v1.ObjectMeta;
  spec: Spec;
}

import type * as k8s from "@pulumi/kubernetes/types/input.js";
import { LABEL_PREFIX, type ContainerSpec, type SetupStep } from "../model/specs.js";
import type { LabTopology } from "../model/topology.js";

/** The label that selects one node's pod. */
export const NODE_LABEL = `${LABEL_PREFIX}.node`;
/** Where the SCRAM Job finds its credential file (a Secret's key, never a command line or an env var). */
export const SCRAM_DIR = "/etc/kafka-lab/scram";
export const SCRAM_FILE = "scram.properties";
/** The annotation whose change makes a new SCRAM Job: the brokers' revisions and the credential's version. */
export const REVISION = `${LABEL_PREFIX}.revision`;
/** Size of each volume claim (persistence on Kubernetes). */
export const VOLUME_SIZE = "1Gi";

const MI = (mb: number) => `${mb}Mi`;

export function namespaceOf(topology: LabTopology): { metadata: k8s.meta.v1.ObjectMeta } {
  return { metadata: { name: topology.labName, labels: topology.labels } };
}

function meta(topology: LabTopology, name: string, labels: Record<string, string>) {
  return { name, namespace: topology.labName, labels };
}

function selectorOf(topology: LabTopology, spec: ContainerSpec): Record<string, string> {
  return { [`${LABEL_PREFIX}.lab`]: topology.labName, [NODE_LABEL]: spec.key };
}

/**
 * A headless Service per name the container is reached by (its hostname, its key, its aliases): DNS answers with the
 * pod's address, also before it is ready (a KRaft controller must resolve its own name to become ready).
 */
export function namesOf(topology: LabTopology, spec: ContainerSpec): Array<Manifest<k8s.core.v1.ServiceSpec>> {
  return spec.aliases.map((name) => ({
    metadata: meta(topology, name, spec.labels),
    spec: { clusterIP: "None", publishNotReadyAddresses: true, selector: selectorOf(topology, spec) },
  }));
}

/** NodePort Services for the published ports (kubernetesOutside: nodePort). */
export function nodePortsOf(topology: LabTopology, spec: ContainerSpec): Array<Manifest<k8s.core.v1.ServiceSpec>> {
  if (spec.ports.length === 0) return [];
  return [
    {
      metadata: meta(topology, `${spec.key}-outside`, spec.labels),
      spec: {
        type: "NodePort",
        selector: selectorOf(topology, spec),
        ports: spec.ports.map((p) => ({
          name: `p${p.internal}`,
          port: p.internal,
          targetPort: p.internal,
          nodePort: p.external,
        })),
      },
    },
  ];
}

function containerPorts(topology: LabTopology, spec: ContainerSpec) {
  const hostPorts = topology.config.kubernetesOutside === "hostPort";
  return spec.ports.map((p) => ({
    containerPort: p.internal,
    ...(hostPorts ? { hostPort: p.external, hostIP: p.ip } : {}),
  }));
}

function volumesOf(topology: LabTopology, spec: ContainerSpec) {
  const persistent = topology.config.persistence;
  const mounts = spec.dataDirs.map((d) => ({ name: d.name, mountPath: d.path }));
  const volumes = persistent ? [] : spec.dataDirs.map((d) => ({ name: d.name, emptyDir: {} }));
  const claims = persistent
    ? spec.dataDirs.map((d) => ({
        metadata: { name: d.name, labels: spec.labels },
        spec: {
          accessModes: ["ReadWriteOnce"],
          ...(topology.config.storageClass ? { storageClassName: topology.config.storageClass } : {}),
          resources: { requests: { storage: VOLUME_SIZE } },
        },
      }))
    : [];
  return { mounts, volumes, claims };
}

/** One pod's StatefulSet: the container as the topology declares it, its probe as the readinessProbe. */
export function statefulSetOf(topology: LabTopology, spec: ContainerSpec): Manifest<k8s.apps.v1.StatefulSetSpec> {
  const { mounts, volumes, claims } = volumesOf(topology, spec);
  const probe = spec.healthcheck;
  return {
    metadata: meta(topology, spec.key, spec.labels),
    spec: {
      serviceName: spec.hostname,
      replicas: 1,
      selector: { matchLabels: selectorOf(topology, spec) },
      template: {
        metadata: { labels: spec.labels },
        spec: {
          // A Service named kafka would inject KAFKA_PORT and friends, which the Confluent images refuse.
          enableServiceLinks: false,
          terminationGracePeriodSeconds: spec.stopGraceSeconds,
          // The images run as uid 1000 (Apicurio: 1001, group 0); claimed volumes are made writable for the group.
          ...(claims.length > 0 ? { securityContext: { fsGroup: 1000 } } : {}),
          containers: [
            {
              name: spec.role,
              image: spec.image,
              imagePullPolicy: "IfNotPresent",
              env: Object.entries(spec.env).map(([name, value]) => ({ name, value })),
              ports: containerPorts(topology, spec),
              readinessProbe: {
                exec: { command: probe.test.slice(1) },
                periodSeconds: probe.intervalSeconds,
                timeoutSeconds: probe.timeoutSeconds,
                initialDelaySeconds: probe.startPeriodSeconds,
                failureThreshold: 3,
              },
              resources: { requests: { memory: MI(spec.memoryMb) }, limits: { memory: MI(spec.memoryMb) } },
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
      volumeClaimTemplates: claims,
    },
  };
}

type ScramStep = Extract<SetupStep, { kind: "scram-user" }>;

/** The Secret's metadata for the SCRAM credential file; its `stringData` comes from the caller (a Pulumi secret). */
export function scramSecretOf(topology: LabTopology): { metadata: k8s.meta.v1.ObjectMeta; type: string } {
  return { metadata: meta(topology, "scram-user", topology.labels), type: "Opaque" };
}

/** A value the provider resolves while deploying (a Pulumi input), or a plain string. */
type Deployed = NonNullable<k8s.core.v1.EnvVar["value"]>;

/**
 * The Job that creates the SCRAM user: kafka-configs in the broker's image against its INSIDE listener, the credential
 * read from the Secret's file. `revision` (the brokers' revisions and the credential's version) annotates its
 * template: a new one makes a new Job, which runs again.
 */
export function scramJobOf(topology: LabTopology, step: ScramStep, revision: Deployed): Manifest<k8s.batch.v1.JobSpec> {
  const broker = topology.containers.find((c) => c.key === step.brokerContainer)!;
  const port = step.insideAddress.split(":").pop();
  const script =
    'bin=$(command -v kafka-configs || echo /opt/kafka/bin/kafka-configs.sh); exec "$bin" --bootstrap-server "$KAFKA_LAB_INSIDE" ' +
    `--alter --add-config-file ${SCRAM_DIR}/${SCRAM_FILE} --entity-type users --entity-name "$KAFKA_LAB_USER"`;
  return {
    metadata: meta(topology, "scram-user", topology.labels),
    spec: {
      backoffLimit: 6,
      template: {
        metadata: { labels: topology.labels, annotations: { [REVISION]: revision } },
        spec: {
          restartPolicy: "OnFailure",
          enableServiceLinks: false,
          containers: [
            {
              name: "kafka-configs",
              image: broker.image,
              imagePullPolicy: "IfNotPresent",
              command: ["bash", "-c", script],
              env: [
                { name: "KAFKA_LAB_INSIDE", value: `${broker.hostname}:${port}` },
                { name: "KAFKA_LAB_USER", value: step.username },
                // The tool is a JVM: a small heap, none of the broker's options.
                { name: "KAFKA_HEAP_OPTS", value: "-Xmx64m" },
                { name: "KAFKA_OPTS", value: "" },
              ],
              resources: { requests: { memory: MI(256) }, limits: { memory: MI(256) } },
              volumeMounts: [{ name: "credential", mountPath: SCRAM_DIR, readOnly: true }],
            },
          ],
          volumes: [{ name: "credential", secret: { secretName: "scram-user" } }],
        },
      },
    },
  };
}
