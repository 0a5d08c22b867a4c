// Where the project lives on this machine: the root the program itself reads its files from.

export { projectRoot } from "../infra/program/project-files.js";
