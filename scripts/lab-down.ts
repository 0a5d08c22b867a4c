// npm run lab:down [-- --stack dev]: destroy the lab, then check that nothing of it is left: on Docker no container,
// network or volume with its labels; on Kubernetes no namespace of it and no pod or Service with its label.

import { argv, echo } from "zx";
import { Cluster } from "../infra/kubernetes/cluster.js";
import { labNameOf } from "../infra/model/topology.js";
import { LABEL_PREFIX } from "../infra/model/specs.js";
import { findLabelled } from "../lib/docker.js";
import { kubernetesLeftovers } from "../lib/kube-cluster.js";
import { checkScriptArgs, runLabScript } from "../lib/lab-script.js";
import { projectName } from "../lib/paths.js";
import { LabStack, requireToolchain, stackName } from "../lib/pulumi-stack.js";

await runLabScript("lab:down", async () => {
  checkScriptArgs(argv, { usage: "usage: npm run lab:down [-- --stack NAME]", strings: ["stack"] });
  const stack = stackName(argv);
  await requireToolchain();
  const lab = await new LabStack({ stack }).open();
  // Where the lab ran, read before it goes (no outputs, or those of an older kafka-lab: on Docker, if anywhere).
  const outputs = (await lab.hasLab()) ? await lab.outputs().catch(() => undefined) : undefined;
  await lab.destroy();
  const onCluster = outputs?.target === "kubernetes";
  const leftovers = onCluster
    ? await kubernetesLeftovers(
        new Cluster({ kubeconfig: outputs.kubeconfig, context: outputs.kubeContext }),
        labNameOf({ project: projectName(), stack }),
      )
    : await findLabelled({ [`${LABEL_PREFIX}.project`]: projectName(), [`${LABEL_PREFIX}.stack`]: stack });
  if (leftovers.length > 0) {
    echo(`kafka-lab: destroy left these behind:\n  ${leftovers.join("\n  ")}`);
    return 1;
  }
  const nothing = onCluster ? "no namespace, pod or Service" : "no container, network or volume";
  echo(`kafka-lab: stack ${stack} destroyed; ${nothing} of it is left`);
  return 0;
});
