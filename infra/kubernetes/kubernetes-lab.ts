// KubernetesLab: the lab on a Kubernetes cluster. It declares what manifests.ts plans from the topology (a namespace,
// per container its Services and a StatefulSet of one pod), waits for every pod to be ready (the provider's own
// wait), creates the SCRAM user with a Job, then the setup steps every target shares (topics, readiness, connectors,
// schemas), through the OUTSIDE listener and the published REST ports as on Docker.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { LabConfig } from "../model/config.js";
import { scramCredential } from "../model/services/broker.js";
import type { LabPlan } from "../model/specs.js";
import { buildTopology, type ContainerSpec, type LabTopology } from "../model/topology.js";
import { isSharedStep } from "../setup/setup-inputs.js";
import { SetupResource } from "../setup/setup-resources.js";
import {
  namesOf,
  namespaceOf,
  nodePortsOf,
  scramJobOf,
  scramSecretOf,
  SCRAM_FILE,
  statefulSetOf,
} from "./manifests.js";

/** The Kubernetes provider plugin every lab uses (@pulumi/kubernetes is pinned to the same version). */
export const KUBERNETES_PROVIDER_VERSION = "4.25.0";

export interface KubernetesLabArgs {
  /** Parsed and validated configuration, its kubeconfig and kubeContext resolved (kubernetes/checks.ts). */
  config: LabConfig;
  plan?: LabPlan;
}

export class KubernetesLab extends pulumi.ComponentResource {
  readonly topology: LabTopology;
  readonly statefulSets: Record<string, k8s.apps.v1.StatefulSet> = {};
  readonly outputs: Record<string, pulumi.Output<string | string[]>>;
  private readonly options: pulumi.CustomResourceOptions;

  constructor(name: string, args: KubernetesLabArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kafka-lab:index:KubernetesLab", name, {}, opts);
    const topology = buildTopology(args.config, { project: pulumi.getProject(), stack: pulumi.getStack() }, args.plan);
    this.topology = topology;
    const provider = new k8s.Provider(
      "kubernetes",
      { kubeconfig: args.config.kubeconfig, context: args.config.kubeContext },
      { parent: this, version: KUBERNETES_PROVIDER_VERSION },
    );
    const namespace = new k8s.core.v1.Namespace("namespace", namespaceOf(topology), { parent: this, provider });
    this.options = { parent: this, provider, dependsOn: [namespace] };
    for (const spec of topology.containers) this.node(spec);
    const done = this.setupSteps(args.config.outsidePassword);
    // Outputs resolve only once every pod is ready and every setup step is done.
    const ready = pulumi.all(done.map((r) => r.id));
    this.outputs = Object.fromEntries(
      Object.entries(topology.outputs).map(([key, output]) => [key, ready.apply(() => output.value)]),
    );
    this.registerOutputs(this.outputs);
  }

  /** One container: its names, its published ports, its StatefulSet (after the nodes it depends on are ready). */
  private node(spec: ContainerSpec): void {
    const { topology } = this;
    const services = [
      ...namesOf(topology, spec),
      ...(topology.config.kubernetesOutside === "nodePort" ? nodePortsOf(topology, spec) : []),
    ].map((service) => new k8s.core.v1.Service(`service-${service.metadata!.name}`, service, this.options));
    const after = spec.dependsOn.map((key) => this.statefulSets[key]!);
    this.statefulSets[spec.key] = new k8s.apps.v1.StatefulSet(spec.key, statefulSetOf(topology, spec), {
      ...this.options,
      dependsOn: [...services, ...after],
      // The provider waits until the pod is ready, as long as the lab's own wait allows.
      customTimeouts: { create: `${topology.waitTimeoutSeconds}s`, update: `${topology.waitTimeoutSeconds}s` },
    });
  }

  /** A token that changes whenever a StatefulSet's pod template does (its revision), so the steps ensure again. */
  private revisionOf(keys: string[]): pulumi.Output<string> {
    const revisions = keys
      .filter((key) => key in this.statefulSets)
      .map((key) => this.statefulSets[key]!.status.apply((s) => s?.updateRevision ?? ""));
    return pulumi.all(revisions).apply((r) => r.join(","));
  }

  private setupSteps(password: string): pulumi.CustomResource[] {
    const made = new Map<string, pulumi.CustomResource>(Object.entries(this.statefulSets));
    const secret = pulumi.secret(password);
    for (const step of this.topology.setup) {
      const opts = { parent: this, dependsOn: step.after.map((key) => made.get(key)!) };
      const clusterToken = this.revisionOf(step.after);
      if (isSharedStep(step)) {
        made.set(step.key, new SetupResource(step, { clusterToken, password: secret }, opts));
        continue;
      }
      const credential = new k8s.core.v1.Secret(
        "scram-credential",
        {
          ...scramSecretOf(this.topology),
          stringData: { [SCRAM_FILE]: secret.apply((pw) => scramCredential(step.mechanism, pw)) },
        },
        this.options,
      );
      const revision = pulumi.interpolate`${clusterToken}/${credential.metadata.resourceVersion}`;
      const args = scramJobOf(this.topology, step, revision);
      made.set(
        step.key,
        new k8s.batch.v1.Job(step.key, args, {
          ...this.options,
          dependsOn: [...opts.dependsOn, credential],
          // The Job's template cannot change in place: a new revision makes a new Job.
          replaceOnChanges: ["spec.template"],
          deleteBeforeReplace: true,
        }),
      );
    }
    return [...made.values()];
  }
}
