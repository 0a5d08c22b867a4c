// npm run lab:smoke [-- --stack dev]: the round trip from the host (OUTSIDE) and from inside the lab network (INSIDE),
// then the check of Kafka Connect and the schema registry from both places (lib/smoke.ts).

import { argv } from "zx";
import { requireToolchain, stackName } from "../lib/pulumi-stack.js";
import { checkScriptArgs, runLabScript } from "../lib/lab-script.js";
import { runSmokeTests } from "../lib/smoke.js";

await runLabScript("lab:smoke", async () => {
  checkScriptArgs(argv, { usage: "usage: npm run lab:smoke [-- --stack NAME]", strings: ["stack"] });
  const stack = stackName(argv);
  await requireToolchain();
  return runSmokeTests(stack);
});
