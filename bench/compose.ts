// The tutorial's way: `docker-compose up -d` on the tutorial-style compose file (bench/compose/), then the
// smoke test retried until it passes, which is how a tutorial user finds out that the lab is ready.

import { fileURLToPath } from "node:url";
import { api, containerRssMb, labelFilter } from "../lib/docker.js";
import { LAB_LABEL } from "../infra/model/specs.js";
import { portsOf, PROJECT } from "./labs.js";
import { run, smoke, type SmokeResult } from "./clients.js";

export const COMPOSE_FILE = fileURLToPath(new URL("./compose/docker-compose.tutorial.yml", import.meta.url));
export const COMPOSE_PROJECT = `${PROJECT}-bench-compose`;
/** The label every container and the network of the compose lab carry (set in the compose file). */
export const COMPOSE_LAB = COMPOSE_PROJECT;
const RETRY_PAUSE_MS = 1_000;

export const composeKafkaPort = portsOf("compose").settings.outsidePort;
export const composeZookeeperPort = portsOf("compose").settings.zookeeperPort;
export const composeBootstrap = `localhost:${composeKafkaPort}`;

function compose(args: string[]): ReturnType<typeof run> {
  return run("docker-compose", ["--project-name", COMPOSE_PROJECT, "--file", COMPOSE_FILE, ...args], {
    env: {
      ...process.env,
      BENCH_KAFKA_PORT: String(composeKafkaPort),
      BENCH_ZOOKEEPER_PORT: String(composeZookeeperPort),
    },
  });
}

export interface ComposeRun {
  /** `docker-compose up -d` returned (containers created and started). */
  secondsToUp: number;
  /** The first smoke test that passed has finished: lab ready and a first message consumed. */
  secondsToFirstMessage: number;
  attempts: number;
  lastFailure?: string;
  /** RSS of each long-running container once the smoke test passed, in MiB. */
  rssMb: Record<string, number>;
}

export async function composeAvailable(): Promise<string | undefined> {
  const version = await run("docker-compose", ["version", "--short"]).catch(() => undefined);
  return version && version.exitCode === 0 ? version.stdout.trim() : undefined;
}

export async function composeUpUntilSmoke(timeoutSeconds = 180): Promise<ComposeRun> {
  const started = performance.now();
  const up = await compose(["up", "--detach", "--no-color"]);
  if (up.exitCode !== 0) throw new Error(`docker-compose up failed: ${up.stderr.trim().slice(-400)}`);
  const secondsToUp = (performance.now() - started) / 1000;
  let attempts = 0;
  let last: SmokeResult | undefined;
  for (;;) {
    attempts++;
    last = await smoke(composeBootstrap, { count: 1, timeoutMs: 30_000 });
    if (last.ok) break;
    if ((performance.now() - started) / 1000 > timeoutSeconds) {
      throw new Error(
        `the smoke test still fails ${timeoutSeconds}s after docker-compose up (${attempts} attempts): ${last.problem}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
  }
  const secondsToFirstMessage = (performance.now() - started) / 1000;
  return { secondsToUp, secondsToFirstMessage, attempts, rssMb: await composeRss() };
}

/** RSS of the compose lab's running containers (the one-shot topic creator has exited by then). */
export async function composeRss(): Promise<Record<string, number>> {
  const containers = await api<Array<{ Id: string; Labels: Record<string, string> }>>(
    "GET",
    `/containers/json?filters=${labelFilter({ [LAB_LABEL]: COMPOSE_LAB })}`,
  );
  const rss: Record<string, number> = {};
  for (const c of containers)
    rss[c.Labels["com.docker.compose.service"] ?? c.Id.slice(0, 12)] = await containerRssMb(c.Id);
  return rss;
}

/** `docker-compose down -v` (stops with compose's default 10 s grace, removes containers, network, volumes). */
export async function composeDown(): Promise<number> {
  const started = performance.now();
  const down = await compose(["down", "--volumes", "--remove-orphans"]);
  if (down.exitCode !== 0) throw new Error(`docker-compose down failed: ${down.stderr.trim().slice(-400)}`);
  return (performance.now() - started) / 1000;
}
