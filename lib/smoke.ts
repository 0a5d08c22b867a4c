// Runs both smoke tests against a stack: from the host (OUTSIDE) and from a container on the lab network
// (INSIDE). The smoke scripts read the addresses from `pulumi stack output`.

import { $, echo } from "zx";
import { projectRoot, pulumiEnv } from "./pulumi.js";

export async function runSmokeTests(stack: string): Promise<number> {
  const env = { ...pulumiEnv(), KAFKA_LAB_STACK: stack };
  let failed = 0;
  for (const [label, script] of [["host, OUTSIDE listener", "smoke-tests/round-trip.ts"], ["lab network, INSIDE listener", "smoke-tests/inside.ts"]]) {
    echo(`\nkafka-lab: smoke test from the ${label}`);
    const result = await $({ cwd: projectRoot, env, stdio: "inherit", nothrow: true })`node --import tsx ${script} --stack ${stack}`;
    if (result.exitCode !== 0) failed = result.exitCode ?? 1;
  }
  echo(failed === 0 ? "\nkafka-lab: both smoke tests passed" : "\nkafka-lab: a smoke test failed (see above)");
  return failed;
}
