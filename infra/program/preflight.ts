// The checks a stack's config must pass before anything of the lab is declared: every key parsed and the rules
// between them (model/checks.ts), then the target's own (docker/checks.ts: the engine; kubernetes/checks.ts: the
// kubeconfig, the cluster, the namespace, the storage). The program runs them first; LabStack runs the same function
// before Pulumi starts, so a bad setting is refused in about a second, printed once.

import { parseLabConfig } from "../model/checks.js";
import { ConfigError, configError, type LabConfig, type RawConfig } from "../model/config.js";
import { labNameOf, type LabIdentity } from "../model/topology.js";
import { dockerProblems } from "../docker/checks.js";
import { kubernetesProblems } from "../kubernetes/checks.js";
import { projectRoot, readProjectFile } from "./project-files.js";

/**
 * The lab's config from the stack's raw values (as Pulumi hands them to the program: strings, lists as JSON text)
 * and the keys it holds in plain text; on Kubernetes with its kubeconfig and context resolved. Throws a ConfigError
 * naming every problem.
 */
export async function checkStackConfig(
  values: RawConfig,
  plaintextKeys: readonly string[],
  identity: LabIdentity,
): Promise<LabConfig> {
  const config = parseLabConfig(values, { plaintextKeys, readFile: readProjectFile });
  if (config.target === "kubernetes") {
    const { problems, settings } = await kubernetesProblems(config, labNameOf(identity), projectRoot);
    if (!settings) throw configError(problems);
    return { ...config, kubeconfig: settings.kubeconfig, kubeContext: settings.context };
  }
  const problems = await dockerProblems(config);
  if (problems.length > 0) throw configError(problems);
  return config;
}

export { ConfigError };
