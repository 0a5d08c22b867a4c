// npm run lab:down [-- --stack dev]: destroy the lab, then check that nothing of it is left.

import { argv, echo } from "zx";
import { LabStack, requireToolchain, stackName } from "../lib/pulumi-stack.js";
import { runLabScript } from "../lib/lab-script.js";
import { findLabelled } from "../scripts/lib/docker-api.js";

await runLabScript("lab:down", async () => {
  const stack = stackName(argv);
  await requireToolchain();
  const lab = await new LabStack({ stack }).open();
  await lab.destroy();
  const leftovers = await findLabelled({ "org.kafka-lab.project": "kafka-lab", "org.kafka-lab.stack": stack });
  if (leftovers.length > 0) {
    echo(`kafka-lab: destroy left these behind:\n  ${leftovers.join("\n  ")}`);
    return 1;
  }
  echo(`kafka-lab: stack ${stack} destroyed; no container, network or volume of it is left`);
  return 0;
});
