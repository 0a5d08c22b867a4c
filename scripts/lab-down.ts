// npm run lab:down [-- --stack dev]: destroy the lab, then check that nothing of it is left.

import { argv, echo } from "zx";
import { pulumi, requirePulumi, selectStack, stackName } from "./lib/pulumi.js";
import { findLabelled } from "./lib/docker-api.js";

const stack = stackName(argv);
await requirePulumi();
await selectStack(stack);
await pulumi(stack, ["destroy", "--yes", "--skip-preview"]);
const leftovers = await findLabelled({ "org.kafka-lab.stack": stack });
if (leftovers.length > 0) {
  echo(`kafka-lab: destroy left these behind:\n  ${leftovers.join("\n  ")}`);
  process.exitCode = 1;
} else {
  echo(`kafka-lab: stack ${stack} destroyed; no container, network or volume of it is left`);
}
