// How the lab:* scripts end: a missing tool or a bad stack file is a one-paragraph message (exit 2), a refused
// config lists its problems (exit 1), a failed pulumi command points at Pulumi's own output above it (exit 1), and
// nothing prints a stack trace at a user.

import { ConfigError } from "../infra/model/config.js";
import { MissingToolError } from "./pulumi-stack.js";
import { StackFileError } from "./stack-files.js";

/**
 * What a failed pulumi command said under "Diagnostics:": its first error and the lines that continue it
 * (Pulumi's progress and that block were streamed above already; this repeats the reason at the end).
 */
export function reasonOf(message: string): string {
  const lines = message.split("\n");
  const diagnostics = lines.indexOf("Diagnostics:");
  const from = lines.findIndex((l, i) => i > diagnostics && l.trim().startsWith("error:"));
  if (from < 0) return "see Pulumi's output above";
  const indent = lines[from]!.search(/\S/);
  const block = [lines[from]!.trim()];
  for (const line of lines.slice(from + 1)) {
    if (line.trim() === "" || line.search(/\S/) < indent || line.trim().startsWith("error:")) break;
    block.push(line.trim());
  }
  return block.join("\n  ");
}

/** A flag or argument a script does not take: its message and usage line are printed, exit code 2. */
export class ScriptUsageError extends Error {}

/** What a lab:* script takes: its usage line, its string and boolean flags, how many positional arguments. */
export interface ScriptArgs {
  usage: string;
  strings?: readonly string[];
  booleans?: readonly string[];
  positional?: number;
}

/** Refuses an unknown flag, a string flag without a value, a value for a boolean, or too many arguments. */
export function checkScriptArgs(argv: Record<string, unknown> & { _?: unknown[] }, args: ScriptArgs): void {
  const strings = args.strings ?? [];
  const booleans = args.booleans ?? [];
  const fail = (why: string) => {
    throw new ScriptUsageError(`${why}\n${args.usage}`);
  };
  for (const [flag, value] of Object.entries(argv)) {
    if (flag === "_" || flag === "--") continue;
    if (strings.includes(flag)) {
      if (typeof value !== "string" || value === "") fail(`--${flag} needs a value`);
    } else if (booleans.includes(flag)) {
      if (typeof value !== "boolean") fail(`--${flag} takes no value`);
    } else {
      fail(`unknown flag --${flag}`);
    }
  }
  const positional = (argv._ ?? []).filter((a) => a !== "");
  if (positional.length > (args.positional ?? 0))
    fail(`unexpected argument ${String(positional[args.positional ?? 0])}`);
}

/** An Automation API CommandError (or a subclass): a pulumi command that failed. Told by its shape, so that this
 * module need not load the Automation API. */
function isPulumiFailure(error: unknown): error is Error {
  return error instanceof Error && "commandResult" in error;
}

export async function runLabScript(name: string, main: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await main()) ?? 0;
  } catch (error) {
    if (error instanceof MissingToolError || error instanceof StackFileError || error instanceof ScriptUsageError) {
      console.error(`kafka-lab ${name}: ${error.message}`);
      process.exitCode = 2;
    } else if (error instanceof ConfigError) {
      // Refused before Pulumi started (LabStack's preflight): the message names every problem; exit code as
      // when the program refuses it.
      console.error(`kafka-lab ${name}: ${error.message}`);
      process.exitCode = 1;
    } else if (isPulumiFailure(error)) {
      console.error(`\nkafka-lab ${name}: pulumi failed:\n  ${reasonOf(error.message)}`);
      process.exitCode = 1;
    } else {
      console.error(`kafka-lab ${name}: ${(error as Error).message ?? String(error)}`);
      process.exitCode = 1;
    }
  }
}
