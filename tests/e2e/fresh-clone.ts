// The README's quick start on a fresh clone, as a new user runs it: `npm ci && npm run lab:up`, `npm run lab:smoke`,
// then `npm run lab:down`; afterwards `git status --porcelain` must be empty. Then a second clone with another
// passphrase does the same, which fails if a clone's salt (or anything tied to one passphrase) was committed.
// The clone is of the working tree (tracked and new files, as `git ls-files` sees them), so uncommitted work is
// what gets tested. The default images cannot be pulled here: the local test images are tagged with their names
// for the run (only names that do not exist yet, removed again afterwards), as a user's machine would have them.

import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { $ } from "zx";
import { labNameOf } from "../../infra/model/topology.js";
import { LABEL_PREFIX } from "../../infra/model/specs.js";
import { api, findLabelled, imageExists, tagImage } from "../../lib/docker.js";
import { CLIENT_IMAGE, defaultImageStandIns } from "../../lib/local-images.js";
import { projectRoot } from "../../lib/paths.js";
import { DEFAULT_CLIENT_IMAGE } from "../../smoke-tests/options.js";
import { leftoversOf, removeLabelled, type Log } from "./containers.js";
import { PROJECT } from "./pulumi-lab.js";

const STACK = "dev";
/** The README's node test of startLab(). */
export const API_EXAMPLE = "examples/round-trip.test.ts";

/** Default image name -> the local image that stands in for it. */
function standIns(): Array<[string, string]> {
  return [[DEFAULT_CLIENT_IMAGE, CLIENT_IMAGE], ...defaultImageStandIns()];
}

/** Tags each missing default image with its local stand-in; returns the tags it added (to remove afterwards). */
async function tagStandIns(log: Log): Promise<string[]> {
  const added: string[] = [];
  for (const [name, local] of standIns()) {
    if (await imageExists(name)) continue;
    await tagImage(local, name);
    added.push(name);
  }
  if (added.length > 0) log(`  tagged the local test images as ${added.join(", ")} for this check`);
  return added;
}

const imageIdOf = async (name: string) =>
  (await api<{ Id: string }>("GET", `/images/${encodeURIComponent(name)}/json`, undefined, [404])).Id;

/** Removes the tags a check added, each only while it still names its stand-in (not an image pulled since). */
async function untag(names: string[]): Promise<void> {
  const localOf = new Map(standIns());
  for (const name of names) {
    const local = localOf.get(name);
    if (local === undefined || (await imageIdOf(name)) !== (await imageIdOf(local))) continue;
    await api("DELETE", `/images/${encodeURIComponent(name)}?noprune=1`, undefined, [404, 409]);
  }
}

/** A git repository holding the working tree's tracked and new files, committed once. */
async function cloneWorkingTree(into: string): Promise<void> {
  const files = (
    await $({ cwd: projectRoot, quiet: true })`git ls-files -z --cached --others --exclude-standard`
  ).stdout
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(join(into, dirname(file)), { recursive: true });
    cpSync(join(projectRoot, file), join(into, file), { dereference: false });
  }
  const git = $({ cwd: into, quiet: true });
  await git`git init -q -b main`;
  await git`git add -A`;
  await git`git -c user.name=e2e -c user.email=e2e@kafka-lab.invalid commit -q -m ${"fresh clone for the e2e check"}`;
}

/** Runs one step of the quick start in the clone, its output indented in the log; throws when it fails. */
async function step(dir: string, env: NodeJS.ProcessEnv, command: string[], log: Log): Promise<void> {
  log(`  $ ${command.join(" ")}`);
  const result = await $({ cwd: dir, env, nothrow: true, quiet: true })`${command}`;
  const lines = `${result.stdout}${result.stderr}`
    .split("\n")
    .filter((l) => l.trim() !== "" && !/using pulumi-resource-docker from \$PATH/.test(l));
  log(
    lines
      .slice(-25)
      .map((l) => `  | ${l}`)
      .join("\n"),
  );
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")} exited with ${result.exitCode} in ${dir}`);
}

async function expectClean(dir: string, log: Log): Promise<void> {
  const status = (await $({ cwd: dir, quiet: true })`git status --porcelain`).stdout.trim();
  if (status !== "") throw new Error(`git status --porcelain in ${dir} is not empty after the quick start:\n${status}`);
  log(`  git status --porcelain in ${dir}: empty`);
}

/** The environment of a new user: no passphrase or backend of ours, no stack chosen. */
function userEnv(passphrase?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_CONFIG_PASSPHRASE_FILE",
    "KAFKA_LAB_STACK",
    "KAFKA_LAB_CLIENT_IMAGE",
  ])
    delete env[key];
  if (passphrase !== undefined) env.PULUMI_CONFIG_PASSPHRASE = passphrase;
  return env;
}

async function quickStart(dir: string, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  await step(dir, env, ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], log);
  try {
    await step(dir, env, ["npm", "run", "lab:up"], log);
    await step(dir, env, ["npm", "run", "lab:smoke"], log);
  } finally {
    await step(dir, env, ["npm", "run", "lab:down"], log);
  }
  await expectClean(dir, log);
}

/**
 * The README's Pulumi path, as far as it runs without Pulumi's Node.js language host (which users have and these
 * machines do not): plain `pulumi stack init`, the program through `npm run lab:up` (the same function plain
 * `pulumi up` runs), plain `pulumi stack output` and `pulumi destroy`. The stack files carry the empty passphrase's
 * salt, so the plain commands leave them as they are. Then the README's node test of the programmatic API.
 */
async function plainPulumi(dir: string, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  await step(dir, env, ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], log);
  await step(dir, env, ["pulumi", "stack", "init", STACK], log);
  try {
    await step(dir, env, ["npm", "run", "lab:up", "--", "--no-smoke"], log);
    await step(dir, env, ["pulumi", "stack", "output", "bootstrapServers", "--stack", STACK], log);
    await step(dir, env, ["npm", "run", "lab:smoke"], log);
  } finally {
    await step(dir, env, ["pulumi", "destroy", "--yes", "--stack", STACK], log);
  }
  const left = await leftoversOf(labNameOf({ project: PROJECT, stack: STACK }));
  if (left.length > 0) throw new Error(`pulumi destroy left behind: ${left.join(", ")}`);
  await apiExample(dir, env, log);
  await expectClean(dir, log);
}

/** The README's node test of startLab(), which must leave no lab behind (its stack has a random name). */
async function apiExample(dir: string, env: NodeJS.ProcessEnv, log: Log): Promise<void> {
  const ofProject = () => findLabelled({ [`${LABEL_PREFIX}.project`]: PROJECT });
  const before = new Set(await ofProject());
  await step(dir, env, ["node", "--import", "tsx", "--test", API_EXAMPLE], log);
  const left = (await ofProject()).filter((item) => !before.has(item));
  if (left.length > 0) throw new Error(`the API example left behind: ${left.join(", ")}`);
}

// The quick start in progress, recorded where a reboot does not clear it: a run killed during the quick start leaves
// a dev lab that only the clones' Pulumi state tells apart from a user's own.
const IN_PROGRESS = join(homedir(), ".cache", "kafka-lab", "e2e-quick-start.json");

interface QuickStartRecord {
  pid: number;
  root: string;
  tags: string[];
}

/** The names of every resource in the Pulumi state of the clones under root: a killed update checkpointed those it
 * made, and those it was making as pending operations. */
function namesInCloneStates(root: string): Set<string> {
  type Named = { inputs?: { name?: unknown }; outputs?: { name?: unknown } };
  type State = { checkpoint?: { latest?: { resources?: Named[]; pending_operations?: Array<{ resource?: Named }> } } };
  const names = new Set<string>();
  const clones = existsSync(root) ? readdirSync(root) : [];
  for (const clone of clones) {
    const stacks = join(root, clone, ".pulumi-state", ".pulumi", "stacks");
    const files = existsSync(stacks) ? readdirSync(stacks, { recursive: true, encoding: "utf8" }) : [];
    for (const file of files.filter((f) => f.endsWith(".json"))) {
      const latest = (JSON.parse(readFileSync(join(stacks, file), "utf8")) as State).checkpoint?.latest;
      const resources = [...(latest?.resources ?? []), ...(latest?.pending_operations ?? []).map((op) => op.resource)];
      for (const r of resources) {
        const name = r?.outputs?.name ?? r?.inputs?.name;
        if (typeof name === "string") names.add(name);
      }
    }
  }
  return names;
}

/** Removes what a killed run's quick start left, where its clones' state proves the lab is the run's, not a user's. */
async function removeInterruptedQuickStart(labName: string, log: Log): Promise<void> {
  if (!existsSync(IN_PROGRESS)) return;
  const record = JSON.parse(readFileSync(IN_PROGRESS, "utf8")) as QuickStartRecord;
  const names = namesInCloneStates(record.root);
  const left = await leftoversOf(labName);
  const ours = left.every((item) => names.has(item.slice(item.indexOf(" ") + 1)));
  if (left.length > 0 && !ours) return; // not provably the run's: the caller refuses, naming it
  log(`  an earlier run (pid ${record.pid}) stopped during this check; removing what it left in ${record.root}`);
  if (left.length > 0) await removeLabelled(labName, log);
  await untag(record.tags);
  rmSync(record.root, { recursive: true, force: true });
  rmSync(IN_PROGRESS, { force: true });
}

export async function freshCloneQuickStart(log: Log): Promise<void> {
  const labName = labNameOf({ project: PROJECT, stack: STACK });
  await removeInterruptedQuickStart(labName, log);
  const running = await leftoversOf(labName);
  if (running.length > 0)
    throw new Error(
      `a ${STACK} lab exists on this machine (${running.join(", ")}): take it down first (npm run lab:down)`,
    );
  const root = mkdtempSync(join(tmpdir(), "kafka-lab-fresh-"));
  const added = await tagStandIns(log);
  mkdirSync(dirname(IN_PROGRESS), { recursive: true });
  writeFileSync(IN_PROGRESS, JSON.stringify({ pid: process.pid, root, tags: added } satisfies QuickStartRecord));
  try {
    const first = join(root, "first");
    await cloneWorkingTree(first);
    log(`  first clone: ${first} (its own random passphrase in .pulumi-state/)`);
    await quickStart(first, userEnv(), log);
    const second = join(root, "second");
    await $({ quiet: true })`git clone -q ${first} ${second}`;
    log(`  second clone: ${second}, PULUMI_CONFIG_PASSPHRASE set to another passphrase`);
    await quickStart(second, userEnv("another passphrase, another clone"), log);
    const third = join(root, "third");
    await $({ quiet: true })`git clone -q ${first} ${third}`;
    log(`  third clone: ${third}, plain pulumi commands with PULUMI_CONFIG_PASSPHRASE="" and the README's API test`);
    await plainPulumi(third, userEnv(""), log);
  } finally {
    await untag(added);
    rmSync(root, { recursive: true, force: true });
    rmSync(IN_PROGRESS, { force: true });
  }
}
