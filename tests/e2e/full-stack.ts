// The whole user path through the Pulumi CLI on a `ci` stack (Pulumi.ci.yaml: local images):
// pulumi up, both smoke tests, a preview that must show no changes, a broker removed by hand and restored by
// `pulumi up --refresh`, pulumi destroy, no leftovers.
// Where the CLI or the Docker provider plugin is missing, the check is skipped with the reason.

import { $, which } from "zx";
import { findLabelled } from "../../scripts/lib/docker-api.js";
import { projectRoot, pulumi, pulumiEnv, selectStack } from "../../scripts/lib/pulumi.js";
import { runSmokeTests } from "../../scripts/lib/smoke.js";
import { SkipCheck } from "./checks.js";

const STACK = "ci";

async function dockerPluginPresent(): Promise<boolean> {
  if (await which("pulumi-resource-docker", { nothrow: true })) return true;
  const plugins = await $({ env: pulumiEnv(), nothrow: true })`pulumi plugin ls --json`;
  return plugins.exitCode === 0 && /"name":\s*"docker"/.test(plugins.stdout);
}

export async function fullStack(log: (line: string) => void): Promise<void> {
  if (!(await which("pulumi", { nothrow: true }))) {
    throw new SkipCheck("the pulumi CLI is not on PATH (it cannot be installed on this machine); pulumi up/preview/destroy were not run");
  }
  if (!(await dockerPluginPresent())) {
    throw new SkipCheck("the Pulumi Docker provider plugin (pulumi-resource-docker) is not installed; pulumi up was not run");
  }
  await selectStack(STACK);
  try {
    log("  pulumi up");
    await pulumi(STACK, ["up", "--yes", "--skip-preview"]);
    if ((await runSmokeTests(STACK)) !== 0) throw new Error("smoke tests failed against the ci stack");
    log("  pulumi preview --expect-no-changes");
    await pulumi(STACK, ["preview", "--expect-no-changes"]);
    log("  drift: remove broker 1 by hand, then pulumi up --refresh must restore it");
    await $`docker rm -f kafka-lab-${STACK}-kafka-1`;
    await pulumi(STACK, ["up", "--yes", "--skip-preview", "--refresh"]);
    if ((await runSmokeTests(STACK)) !== 0) throw new Error("smoke tests failed after pulumi up --refresh restored broker 1");
    await pulumi(STACK, ["preview", "--expect-no-changes"]);
  } finally {
    log("  pulumi destroy");
    await pulumi(STACK, ["destroy", "--yes", "--skip-preview"]);
  }
  const left = await findLabelled({ "org.kafka-lab.project": "kafka-lab", "org.kafka-lab.stack": STACK });
  if (left.length > 0) throw new Error(`pulumi destroy left behind: ${left.join(", ")}`);
  await $({ cwd: projectRoot, env: pulumiEnv() })`pulumi stack rm --yes --force ${STACK}`;
}
