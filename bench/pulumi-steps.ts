// Step times of a `pulumi up` read from its progress lines as they arrive (the benchmark's "where the time goes").

/**
 * Turns Pulumi's progress lines into step times, each the first time it shows: the update started (the CLI and
 * engine are up), the program running (its stack resource registered), the first image and volume ready, the
 * network created, each container being created, created and healthy (its ContainerHealthy wait, or, for a
 * container the provider waited for, created); then the last topic and the coordinator.
 */
export function pulumiSteps(mark: (step: string) => void, containers: Set<string>): (chunk: string) => void {
  const seen = new Set<string>();
  const once = (step: string) => {
    if (!seen.has(step)) mark(step);
    seen.add(step);
  };
  let pending = "";
  return (chunk) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (/^Updating \(/.test(line.trim())) once("update started");
      const step = /(\S+) (\S+) (creating|created)/.exec(line);
      if (!step) continue;
      const [, type, name, state] = step;
      if (type === "pulumi:pulumi:Stack") once("program running");
      else if (state !== "created" && type === "docker:index:Container" && containers.has(name!))
        once(`${name} creating`);
      else if (state !== "created") continue;
      else if (type === "docker:index:Network" || type!.endsWith(":LabNetwork")) once("network created");
      else if (type === "docker:index:RemoteImage") once("images");
      else if (type === "docker:index:Volume") once("volumes");
      else if (type === "docker:index:Container" && containers.has(name!)) once(`${name} created`);
      else if (type!.endsWith(":ContainerHealthy") && containers.has(name!.replace(/^healthy-/, "")))
        once(`${name!.replace(/^healthy-/, "")} healthy`);
      else if (type!.endsWith(":KafkaTopic")) mark("topics");
      else if (type!.endsWith(":ConsumerGroupReadiness")) mark("coordinator");
    }
  };
}
