// npm run lab:up [-- --stack dev] [--no-smoke]: provision the lab with `pulumi up`, then run the smoke tests.

import { argv, echo } from "zx";
import { pulumi, requirePulumi, selectStack, stackName } from "./lib/pulumi.js";
import { runSmokeTests } from "./lib/smoke.js";

const stack = stackName(argv);
await requirePulumi();
await selectStack(stack);
echo(`kafka-lab: pulumi up on stack ${stack} (returns when ZooKeeper and the brokers are healthy and the topics exist)`);
await pulumi(stack, ["up", "--yes", "--skip-preview"]);
if (argv.smoke === false) {
  echo("kafka-lab: smoke tests skipped (--no-smoke)");
} else {
  process.exitCode = await runSmokeTests(stack);
}
