// Runs the smoke tests against a stack: the round trip from the host (OUTSIDE) and from a container on the lab
// network (INSIDE), then the services' check (Kafka Connect, the schema registry) from both places, which says
// SKIPPED when the lab runs neither. The smoke scripts read the addresses (and the SCRAM login) from the stack.

import { $, echo } from "zx";
import { projectRoot, pulumiEnv } from "./pulumi-stack.js";

const SMOKE_TESTS: Array<[label: string, args: string[]]> = [
  ["round trip from the host, OUTSIDE listener", ["smoke-tests/round-trip.ts"]],
  ["round trip from the lab network, INSIDE listener", ["smoke-tests/inside.ts"]],
  ["services from the host", ["smoke-tests/services.ts"]],
  ["services from the lab network", ["smoke-tests/inside.ts", "--services"]],
];

export async function runSmokeTests(stack: string): Promise<number> {
  const env = { ...process.env, ...pulumiEnv(), KAFKA_LAB_STACK: stack };
  let failed = 0;
  const skipped: string[] = [];
  for (const [label, args] of SMOKE_TESTS) {
    echo(`\nkafka-lab: smoke test: ${label}`);
    const run = $({
      cwd: projectRoot,
      env,
      stdio: ["inherit", "pipe", "inherit"],
      nothrow: true,
    })`node --import tsx ${args} --stack ${stack}`;
    run.stdout.pipe(process.stdout);
    const result = await run;
    if (result.exitCode !== 0) failed = result.exitCode ?? 1;
    else if (/^SKIPPED/m.test(result.stdout)) skipped.push(label);
  }
  echo(`\nkafka-lab: ${verdict(failed, skipped)}`);
  return failed;
}

/** The last line: a skipped test is named as skipped, never counted as passed. */
function verdict(failed: number, skipped: string[]): string {
  if (failed !== 0) return "a smoke test failed (see above)";
  if (skipped.length === 0) return "every smoke test passed";
  return `the smoke tests that ran passed; skipped (see above): ${skipped.join(", ")}`;
}
