// npm run lab:up [-- --stack dev] [--no-smoke]: provision the lab with `pulumi up`, then run the smoke tests. The
// stack's settings are checked before Pulumi starts, so a bad one is refused at once.

import { argv, echo } from "zx";
import { LabStack, requireToolchain, stackName } from "../lib/pulumi-stack.js";
import { runLabScript } from "../lib/lab-script.js";
import { runSmokeTests } from "../lib/smoke.js";

await runLabScript("lab:up", async () => {
  const stack = stackName(argv);
  await requireToolchain();
  const lab = new LabStack({ stack });
  await lab.preflight();
  await lab.open();
  echo(
    `kafka-lab: pulumi up on stack ${stack} (returns when every container is healthy, the topics exist, consumer groups work and any connectors run and schemas are registered)`,
  );
  await lab.up();
  if (argv.smoke === false) {
    echo("kafka-lab: smoke tests skipped (--no-smoke)");
    return 0;
  }
  return runSmokeTests(stack);
});
