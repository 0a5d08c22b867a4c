// Where the project lives on this machine: the root the program itself reads its files from, and the project's name
// as Pulumi.yaml gives it (the first part of every lab's name).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../infra/program/project-files.js";

export { projectRoot };
export const PROJECT: string = (parse(readFileSync(join(projectRoot, "Pulumi.yaml"), "utf8")) as { name: string }).name;
