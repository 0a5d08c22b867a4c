// npm run lab:smoke [-- --stack dev]: the round trip from the host (OUTSIDE) and from inside the lab network (INSIDE),
// then the check of Kafka Connect and the schema registry from both places (lib/smoke.ts).

import { argv } from "zx";
import { requireToolchain, stackName } from "../lib/pulumi-stack.js";
import { runLabScript } from "../lib/lab-script.js";
import { runSmokeTests } from "../lib/smoke.js";

await runLabScript("lab:smoke", async () => {
  const stack = stackName(argv);
  await requireToolchain();
  return runSmokeTests(stack);
});
