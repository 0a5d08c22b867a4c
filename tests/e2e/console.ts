// The console in a real terminal: tmux (Debian's) runs `npm run lab:console` as a user types it, and the check reads
// the screen (capture-pane) as a user reads it: the lab's topics, then a consumer group and its lag, which the check
// set beforehand (admin.setOffsets) so that it knows what the screen must say; then Ctrl-C, which must end kaskade
// with exit code 0 and leave no console container behind. With --outside on a SCRAM lab, the password must be in no
// command line (ps) and in nothing the engine shows of the container (inspect).

import { randomUUID } from "node:crypto";
import type { SASLOptions } from "kafkajs";
import { $ } from "zx";
import { LABEL_PREFIX, LAB_LABEL } from "../../infra/model/specs.js";
import { api, inspectContainer, labelFilter } from "../../lib/docker.js";
import { projectRoot } from "../../lib/paths.js";
import type { Log } from "./containers.js";
import { client, produce } from "./messages.js";
import type { ProvisionedLab } from "./pulumi-lab.js";

/** The consumer group whose lag the screen must show, and how far it is behind. */
export const LAGGING = { group: "console-lag", topic: "orders", messages: 100, lag: 40 } as const;

/** 100 messages in the topic, the group's offsets set so that it is exactly LAGGING.lag behind, all partitions. */
async function makeLag(bootstrap: string, log: Log, sasl?: SASLOptions): Promise<void> {
  const { topic, group, messages, lag } = LAGGING;
  await produce(bootstrap, topic, randomUUID(), 0, messages, sasl);
  const admin = client(bootstrap, sasl).admin();
  await admin.connect();
  try {
    const ends = (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, end: Number(p.high) }));
    let behind = lag;
    const partitions = ends.map(({ partition, end }, i) => {
      const here = i === ends.length - 1 ? behind : Math.min(behind, Math.floor(lag / ends.length));
      behind -= here;
      return { partition, offset: String(end - here) };
    });
    await admin.setOffsets({ groupId: group, topic, partitions });
    log(`  group ${group} committed ${JSON.stringify(partitions)} on ${topic}: ${lag} behind`);
  } finally {
    await admin.disconnect();
  }
}

/** A terminal of our own: a tmux server on its own socket (it gets this process's environment). */
class Terminal {
  private readonly socket = `kafka-lab-e2e-${process.pid}`;
  private readonly session = "console";

  constructor(private readonly log: Log) {}

  private tmux(args: string[]) {
    return $({ quiet: true, nothrow: true })`tmux -L ${this.socket} ${args}`;
  }

  async start(command: string): Promise<void> {
    const shell = `cd ${projectRoot} && ${command}; echo CONSOLE-EXIT=$?; sleep 600`;
    const started = await this.tmux(["new-session", "-d", "-s", this.session, "-x", "200", "-y", "50", shell]);
    if (started.exitCode !== 0) throw new Error(`tmux: ${started.stderr.trim()}`);
  }

  async screen(): Promise<string> {
    return (await this.tmux(["capture-pane", "-p", "-t", this.session])).stdout;
  }

  async keys(...keys: string[]): Promise<void> {
    await this.tmux(["send-keys", "-t", this.session, ...keys]);
  }

  /** Reads the screen until `pattern` shows, or `shows` says yes (every 250 ms, at most `seconds`); returns it. */
  async waitFor(pattern: RegExp | ((screen: string) => boolean), what: string, seconds = 60): Promise<string> {
    const deadline = Date.now() + seconds * 1000;
    const shows = typeof pattern === "function" ? pattern : (screen: string) => pattern.test(screen);
    for (;;) {
      const screen = await this.screen();
      if (shows(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the screen never showed ${what}; it shows:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async close(): Promise<void> {
    await this.tmux(["kill-server"]);
  }
}

/**
 * kaskade's filter (`/`, the name, Enter) leaves the topic alone in the table, then `d` opens its details. Each key
 * waits for the screen to show that the one before took: typed too early, a name goes to the table, and Enter there
 * opens the selected topic's details instead.
 */
async function openDetails(terminal: Terminal, topic: string, others: string[]): Promise<void> {
  const before = await terminal.screen();
  await terminal.keys("/");
  await terminal.waitFor((screen) => screen !== before, "kaskade's filter opening", 10);
  await terminal.keys("-l", topic);
  await terminal.waitFor((screen) => screen.split(topic).length > before.split(topic).length, `${topic} typed`, 10);
  await terminal.keys("Enter");
  await terminal.waitFor((screen) => !others.some((t) => screen.includes(t)), `the table filtered to ${topic}`, 10);
  await terminal.keys("d");
  await terminal.waitFor(new RegExp(`Topic Details \\[${topic}\\]`), "the topic's details");
}

/** The lines of the screen that hold `text`, trimmed, for the log. */
const linesWith = (screen: string, text: string) =>
  screen
    .split("\n")
    .filter((l) => l.includes(text))
    .map((l) => l.replace(/\s+/g, " ").trim());

async function consoleContainers(labName: string): Promise<Array<{ Id: string }>> {
  const filter = labelFilter({ [LAB_LABEL]: labName, [`${LABEL_PREFIX}.role`]: "console" });
  return api<Array<{ Id: string }>>("GET", `/containers/json?all=1&filters=${filter}`);
}

/** While the console runs: the password in no process's command line here, in nothing inspect shows. */
async function passwordHidden(labName: string, password: string, log: Log): Promise<void> {
  const processes = (await $({ quiet: true })`ps -eo args`).stdout;
  if (processes.includes(password)) throw new Error("the password is on a command line (ps)");
  const [running] = await consoleContainers(labName);
  if (!running) throw new Error("no console container runs");
  const info = JSON.stringify(await inspectContainer(running.Id));
  if (info.includes(password)) throw new Error("the password shows in docker inspect of the console");
  log("  the password is in no command line (ps -eo args) and not in the console container's inspect");
}

/**
 * `npm run lab:console` in tmux on the lab: topics on the screen, the lagging group's lag on the topic's row and in
 * its details, Ctrl-C ends it with 0 and no console container is left. `password`: a SCRAM lab's, with --outside.
 */
export async function consoleShowsTheLab(lab: ProvisionedLab, log: Log, password?: string): Promise<void> {
  const { topology, stack } = lab;
  const { outsideAuth, outsideUsername } = topology.outputs;
  const sasl =
    password && outsideAuth.value !== "none"
      ? ({ mechanism: outsideAuth.value, username: outsideUsername.value, password } as SASLOptions)
      : undefined;
  await makeLag(topology.outputs.bootstrapServers.value, log, sasl);
  const terminal = new Terminal(log);
  const flags = password ? " --outside" : "";
  try {
    // On a SCRAM lab the console reads the password from the stack's secret, as lab:smoke does.
    await terminal.start(`npm run --silent lab:console -- --stack ${stack.name}${flags}`);
    await terminal.waitFor(/Topics \[\d+\]/, "the topics table");
    const listed = await terminal.waitFor(
      new RegExp(`${LAGGING.topic}\\s.*≈${LAGGING.lag}\\s`),
      `${LAGGING.topic} with lag ${LAGGING.lag}`,
    );
    for (const t of topology.topics)
      if (!listed.includes(t.name)) throw new Error(`the screen does not list ${t.name}:\n${listed}`);
    log(`  ${linesWith(listed, "Topics [")[0]}`);
    for (const line of linesWith(listed, LAGGING.topic)) log(`  ${line}`);
    if (password) await passwordHidden(topology.labName, password, log);
    const others = ["__consu", ...topology.topics.map((t) => t.name).filter((t) => t !== LAGGING.topic)];
    await openDetails(terminal, LAGGING.topic, others);
    await terminal.keys("l", "l");
    const groups = await terminal.waitFor(
      new RegExp(`${LAGGING.group}\\s.*\\s${LAGGING.lag}\\s`),
      `group ${LAGGING.group} ${LAGGING.lag} behind`,
    );
    for (const line of linesWith(groups, LAGGING.group)) log(`  ${line}`);
    await terminal.keys("C-c");
    await terminal.waitFor(/CONSOLE-EXIT=0/, "kaskade ending with exit code 0 after Ctrl-C", 30);
    log("  Ctrl-C: kaskade ended, exit code 0");
  } finally {
    await terminal.close();
  }
  const left = await consoleContainers(topology.labName);
  if (left.length > 0) throw new Error(`console containers left: ${left.map((c) => c.Id).join(", ")}`);
}
