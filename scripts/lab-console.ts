// npm run lab:console [-- --stack dev] [--consumer TOPIC] [--outside]: kaskade, a terminal console for Kafka, on the
// lab: topics, partitions, consumer groups and their lag (admin mode), or a topic's records (--consumer). By default
// in a container on the lab's network against the INSIDE listener; --outside from this machine's network through
// OUTSIDE, logged in with the lab's SCRAM settings. Quit with Ctrl-C. See docs/console.md.

import { argv, echo, which } from "zx";
import { labNameOf } from "../infra/model/topology.js";
import { runDockerConsole, runKubernetesConsole, type Login } from "../lib/console.js";
import { checkScriptArgs, runLabScript, ScriptUsageError } from "../lib/lab-script.js";
import { projectName } from "../lib/paths.js";
import { MissingToolError, requireToolchain, stackName } from "../lib/pulumi-stack.js";
import { stackConfigSecret, stackOutputs } from "../smoke-tests/stack.js";

const USAGE = "usage: npm run lab:console [-- --stack NAME] [--consumer TOPIC] [--outside]";

async function loginOf(stack: string, mechanism: string, username: string): Promise<Login | undefined> {
  if (mechanism === "none") return undefined;
  const password =
    process.env.KAFKA_LAB_PASSWORD || (await stackConfigSecret("outsidePassword", stack, "KAFKA_LAB_PASSWORD"));
  return { mechanism, username, password };
}

await runLabScript("lab:console", async () => {
  checkScriptArgs(argv, { usage: USAGE, strings: ["stack", "consumer"], booleans: ["outside"] });
  const stack = stackName(argv);
  await requireToolchain();
  const outputs = await stackOutputs(stack, "a stack whose lab is up (npm run lab:up)");
  if (outputs.bootstrapServers === "") throw new ScriptUsageError(`stack ${stack} holds no lab: npm run lab:up first`);
  const options = { outside: argv.outside === true, ...(argv.consumer ? { consumer: String(argv.consumer) } : {}) };
  // kaskade in a terminal: the console needs one (it draws its screen there).
  if (!process.stdin.isTTY) throw new ScriptUsageError(`lab:console needs a terminal\n${USAGE}`);
  const cli = outputs.target === "kubernetes" ? "kubectl" : "docker";
  if (!(await which(cli, { nothrow: true }))) throw new MissingToolError(`the ${cli} CLI is not on PATH`);
  echo(`kafka-lab: kaskade (${outputs.consoleImage}) on stack ${stack}; quit with Ctrl-C`);
  if (outputs.target === "kubernetes") {
    if (options.outside) throw new ScriptUsageError(`--outside is for a lab on Docker\n${USAGE}`);
    return runKubernetesConsole(outputs, options);
  }
  // Closing the terminal hangs up on us too: go on, so that the console's container is removed.
  process.on("SIGHUP", () => undefined);
  const login = options.outside ? await loginOf(stack, outputs.outsideAuth, outputs.outsideUsername) : undefined;
  return runDockerConsole(outputs, options, login, labNameOf({ project: projectName(), stack }));
});
