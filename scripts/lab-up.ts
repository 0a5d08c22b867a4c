// npm run lab:up [-- --stack dev] [--no-smoke] [--no-refresh]: provision the lab with `pulumi up`, then run the smoke
// tests. The stack's settings are checked before Pulumi starts, so a bad one is refused at once. `pulumi up` refreshes
// first (Pulumi's own --refresh), so that whatever was done to the lab by hand (a container killed, stopped or
// removed, a topic deleted) is found and repaired; it says what it repaired.

import { argv, echo } from "zx";
import { LabStack, requireToolchain, stackName } from "../lib/pulumi-stack.js";
import { checkScriptArgs, runLabScript } from "../lib/lab-script.js";
import { runSmokeTests } from "../lib/smoke.js";
import { upAndReport } from "../lib/lab-up.js";

const USAGE = "usage: npm run lab:up [-- --stack NAME] [--no-smoke] [--no-refresh]";

await runLabScript("lab:up", async () => {
  checkScriptArgs(argv, { usage: USAGE, strings: ["stack"], booleans: ["smoke", "refresh"] });
  const stack = stackName(argv);
  await requireToolchain();
  const lab = new LabStack({ stack });
  await lab.preflight();
  await lab.open();
  const refresh = argv.refresh !== false;
  echo(
    `kafka-lab: pulumi up${refresh ? " --refresh" : ""} on stack ${stack} (returns when every container is healthy, the topics exist, consumer groups work and any connectors run and schemas are registered)`,
  );
  echo((await upAndReport(lab, { refresh })).join("\n"));
  if (argv.smoke === false) {
    echo("kafka-lab: smoke tests skipped (--no-smoke)");
    return 0;
  }
  return runSmokeTests(stack);
});
