// Where the project lives on this machine: the root the program itself reads its files from, and the project's name
// as Pulumi.yaml gives it (the first part of every lab's name), read when first asked for: the smoke tests' bundle
// imports this module in a container that has no Pulumi.yaml.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../infra/program/project-files.js";

export { projectRoot };

let name: string | undefined;

export function projectName(): string {
  name ??= (parse(readFileSync(join(projectRoot, "Pulumi.yaml"), "utf8")) as { name: string }).name;
  return name;
}
