// npm run lab:down [-- --stack dev]: destroy the lab, then check that nothing of it is left.

import { argv, echo } from "zx";
import { LabStack, requireToolchain, stackName } from "../lib/pulumi-stack.js";
import { checkScriptArgs, runLabScript } from "../lib/lab-script.js";
import { findLabelled } from "../lib/docker.js";
import { LABEL_PREFIX } from "../infra/model/specs.js";

await runLabScript("lab:down", async () => {
  checkScriptArgs(argv, { usage: "usage: npm run lab:down [-- --stack NAME]", strings: ["stack"] });
  const stack = stackName(argv);
  await requireToolchain();
  const lab = await new LabStack({ stack }).open();
  await lab.destroy();
  const leftovers = await findLabelled({ [`${LABEL_PREFIX}.project`]: "kafka-lab", [`${LABEL_PREFIX}.stack`]: stack });
  if (leftovers.length > 0) {
    echo(`kafka-lab: destroy left these behind:\n  ${leftovers.join("\n  ")}`);
    return 1;
  }
  echo(`kafka-lab: stack ${stack} destroyed; no container, network or volume of it is left`);
  return 0;
});
