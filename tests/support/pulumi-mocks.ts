// Records what a Pulumi program registers, through Pulumi's own mock engine (no CLI, no Docker).
// One program per test process: Pulumi's mock state is process-global, and node --test runs each file apart.

import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** The provider reference ("<urn>::<id>") Pulumi passed for a custom resource. */
  provider?: string;
}

/**
 * Installs Pulumi's mocks with this stack config. `previousOutputs`: what the stack's last `pulumi up` exported, as
 * the program's StackReference to its own stack reads it (none: a stack that was never up).
 */
export function installMocks(
  config: Record<string, string>,
  stack = "dev",
  secretKeys: string[] = [],
  previousOutputs: Record<string, unknown> = {},
): Registered[] {
  const registered: Registered[] = [];
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [`kafka-lab:${k}`, v])),
    secretKeys.map((k) => `kafka-lab:${k}`),
  );
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          ...(args.provider ? { provider: args.provider } : {}),
        });
        const state: Record<string, unknown> = { ...args.inputs };
        // The Docker provider reports the local image ID; the program must use it for the containers.
        if (args.type === "docker:index/remoteImage:RemoteImage") state.imageId = `sha256:id-of-${args.inputs.name}`;
        if (args.type === "pulumi:pulumi:StackReference") Object.assign(state, { outputs: previousOutputs });
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "kafka-lab",
    stack,
    false,
  );
  return registered;
}

export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Runs the program as Pulumi's Node.js host does (its default export is an async function); resolves to its outputs. */
export async function runProgram(): Promise<Record<string, any>> {
  const program = (await import("../../infra/index.js")).default as () => Promise<Record<string, any>>;
  return program();
}
