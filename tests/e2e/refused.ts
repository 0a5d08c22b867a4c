// Bad input is refused before anything exists, twice over: LabStack's preflight (what lab:up and startLab() run
// before Pulumi starts) and the program's own check (what plain `pulumi up` runs) must each fail with a message that
// names the key (and never shows a secret), and no container, network or volume of the lab may exist.

import { ConfigError } from "../../infra/model/config.js";
import { labNameOf } from "../../infra/model/topology.js";
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

/** The refusal's line that names the key; throws when there is none, or when the message shows the secret. */
function expectRefusal(c: RefusedCase, failure: Error | undefined, by: string, log: Log): void {
  if (!failure) throw new Error(`${by} accepted ${c.what}`);
  const line = failure.message.split("\n").find((l) => c.expected.test(l));
  log(`  ${by}: ${line?.trim() ?? failure.message.slice(0, 800)}`);
  if (!line) throw new Error(`no line of ${by}'s error matches ${c.expected}: ${failure.message.slice(0, 800)}`);
  if (c.secret && failure.message.includes(c.secret)) throw new Error(`${by}'s error shows the secret`);
}

export async function refusedByPreview(c: RefusedCase, log: Log): Promise<void> {
  const stack = await openStack(refusedDefinition(c), log);
  const failureOf = (run: Promise<unknown>) =>
    run.then(
      () => undefined,
      (error: Error) => error,
    );
  try {
    const preflight = await failureOf(stack.preview());
    if (preflight && !(preflight instanceof ConfigError))
      throw new Error(`the preflight let Pulumi start: ${preflight.message.slice(0, 800)}`);
    expectRefusal(c, preflight, "the preflight", log);
    expectRefusal(c, await failureOf(stack.preview({ checkFirst: false })), "the program (pulumi preview)", log);
    const left = await leftoversOf(labNameOf({ project: PROJECT, stack: STACK }));
    if (left.length > 0) throw new Error(`something was created: ${left.join(", ")}`);
  } finally {
    await stack.remove();
  }
}
