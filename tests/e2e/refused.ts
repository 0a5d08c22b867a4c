// Bad input is refused before anything exists: `pulumi preview` of a stack with a bad setting must fail with a
// message that names the key (and never shows a secret), and no container, network or volume of the lab may exist.

import { labNameOf } from "../../infra/topology.js";
import { localImageOverrides, type Settings } from "../../lib/local-images.js";
import { portBlock } from "../../lib/ports.js";
import { leftoversOf, type Log } from "./containers.js";
import { openStack, PROJECT, type LabDefinition } from "./pulumi-lab.js";

export interface RefusedCase {
  /** What is wrong, for the check's name. */
  what: string;
  trackedFile: string;
  /** The bad settings (on top of the local images and the e2e ports of the refused block). */
  settings: Settings;
  /** The message must have a line that matches this (it names the key). */
  expected: RegExp;
  /** Text that must appear nowhere in the message (a password). */
  secret?: string;
  /** Secrets stored (encrypted) in the machine's stack file before the preview. */
  secrets?: Record<string, string>;
}

const STACK = "e2e-refused";
const BLOCK = 6;

export function refusedDefinition(c: RefusedCase): LabDefinition {
  const overrides = { ...localImageOverrides("zookeeper"), ...portBlock("e2e", BLOCK).settings, ...c.settings };
  const secrets = c.secrets ? { secrets: c.secrets } : {};
  return { title: `refused config: ${c.what}`, stack: STACK, trackedFile: c.trackedFile, overrides, ...secrets };
}

export async function refusedByPreview(c: RefusedCase, log: Log): Promise<void> {
  const stack = await openStack(refusedDefinition(c), log);
  try {
    const failure = await stack.preview().then(
      () => undefined,
      (error: Error) => error,
    );
    if (!failure) throw new Error(`pulumi preview accepted ${c.what}`);
    const line = failure.message.split("\n").find((l) => c.expected.test(l));
    log(`  ${line?.trim() ?? failure.message.slice(0, 800)}`);
    if (!line) throw new Error(`no line of the error matches ${c.expected}: ${failure.message.slice(0, 800)}`);
    if (c.secret && failure.message.includes(c.secret)) throw new Error("the error shows the secret");
    const left = await leftoversOf(labNameOf({ project: PROJECT, stack: STACK }));
    if (left.length > 0) throw new Error(`something was created: ${left.join(", ")}`);
  } finally {
    await stack.remove();
  }
}
