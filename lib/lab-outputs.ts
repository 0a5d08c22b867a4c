// A lab's stack outputs as one typed object (LabOutputs), checked against what the services declare: every name
// there, each a string or a list of strings as declared. Read once, by `pulumi stack output --json` or the
// Automation API, by the smoke tests, the scripts and the tests.

import { OUTPUT_DECLS, type LabOutputs, type OutputName } from "../infra/model/topology.js";

/** The outputs, or an error naming each output that is missing, of the wrong kind, or not declared. */
export function parseLabOutputs(data: unknown, source: string): LabOutputs {
  const given =
    typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const problems: string[] = [];
  for (const [name, { kind }] of Object.entries(OUTPUT_DECLS)) {
    const value = given[name];
    const fits =
      kind === "list" ? Array.isArray(value) && value.every((v) => typeof v === "string") : typeof value === "string";
    if (value === undefined) problems.push(`${name} is missing`);
    else if (!fits)
      problems.push(`${name} is ${JSON.stringify(value)}, not a ${kind === "list" ? "list of strings" : "string"}`);
  }
  for (const name of Object.keys(given))
    if (!(name in OUTPUT_DECLS)) problems.push(`${name} is not an output of this kafka-lab (made by another version?)`);
  if (problems.length > 0) throw new Error(`${source}: ${problems.join("; ")}`);
  return Object.fromEntries(Object.keys(OUTPUT_DECLS).map((name) => [name, given[name]])) as LabOutputs;
}

/** An output's value as one string (lists joined with commas). */
export function outputString(outputs: LabOutputs, name: OutputName): string {
  const value = outputs[name];
  return Array.isArray(value) ? value.join(",") : value;
}
