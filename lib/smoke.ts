// Runs both smoke tests against a stack: from the host (OUTSIDE) and from a container on the lab network
// (INSIDE). The smoke scripts read the addresses (and the SCRAM login) from the stack.

import { $, echo } from "zx";
import { projectRoot, pulumiEnv } from "./pulumi-stack.js";

export async function runSmokeTests(stack: string, extraArgs: string[] = []): Promise<number> {
  const env = { ...process.env, ...pulumiEnv(), KAFKA_LAB_STACK: stack };
  let failed = 0;
  for (const [label, script] of [
    ["host, OUTSIDE listener", "smoke-tests/round-trip.ts"],
    ["lab network, INSIDE listener", "smoke-tests/inside.ts"],
  ]) {
    echo(`\nkafka-lab: smoke test from the ${label}`);
    const result = await $({
      cwd: projectRoot,
      env,
      stdio: "inherit",
      nothrow: true,
    })`node --import tsx ${script} --stack ${stack} ${extraArgs}`;
    if (result.exitCode !== 0) failed = result.exitCode ?? 1;
  }
  echo(failed === 0 ? "\nkafka-lab: both smoke tests passed" : "\nkafka-lab: a smoke test failed (see above)");
  return failed;
}
