// npm run lab:status [-- --stack dev] [--json]: what the running lab holds (lib/lab-status.ts). A lab that is down,
// or a stack that holds none, gets a message that says so and exit code 3.

import { argv, echo } from "zx";
import { gatherStatus, formatStatus, LabDownError } from "../lib/lab-status.js";
import { checkScriptArgs, runLabScript } from "../lib/lab-script.js";
import { requireToolchain, stackName } from "../lib/pulumi-stack.js";
import { UsageError } from "../smoke-tests/errors.js";
import { parseSaslLogin } from "../smoke-tests/options.js";
import { stackConfigSecret, stackOutputs } from "../smoke-tests/stack.js";

const DOWN = 3;

await runLabScript("lab:status", async () => {
  checkScriptArgs(argv, {
    usage: "usage: npm run lab:status [-- --stack NAME] [--json]",
    strings: ["stack"],
    booleans: ["json"],
  });
  const stack = stackName(argv);
  await requireToolchain();
  try {
    const outputs = await stackOutputs(stack, "KAFKA_LAB_STACK or --stack of a lab that is up");
    const { outsideAuth: mechanism, outsideUsername: username } = outputs;
    const password =
      mechanism === "none"
        ? undefined
        : process.env.KAFKA_LAB_PASSWORD || (await stackConfigSecret("outsidePassword", stack, "KAFKA_LAB_PASSWORD"));
    const sasl = parseSaslLogin({ _: [], "sasl-mechanism": mechanism, username }, { KAFKA_LAB_PASSWORD: password });
    const status = await gatherStatus(stack, outputs, sasl);
    echo(argv.json ? JSON.stringify(status) : formatStatus(status));
    return 0;
  } catch (error) {
    if (!(error instanceof LabDownError || error instanceof UsageError)) throw error;
    console.error(`kafka-lab lab:status: ${error.message}`);
    return DOWN;
  }
});
