// A dead or wrong address fails fast: smoke-tests/round-trip.ts pointed at a loopback port where nothing
// listens, where something accepts and never answers, and where an HTTP server answers, must exit non-zero
// within 10 s of starting its run, naming the address and the listener. The bound is on what the script controls
// (its own elapsedMs, from the start of its run to its verdict); Node.js's and tsx's start-up, which a loaded CI
// machine stretched to 8 s, is logged with the wall time but not judged. Needs no lab: the impostors are plain TCP
// servers in this process on 127.0.0.1.

import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { portBlock } from "../../lib/ports.js";
import type { Log } from "./containers.js";
import { runNodeScript, type ScriptRun } from "./smoke.js";

/** Host ports of this check: scratch ports of its block of the e2e range. */
const ports = portBlock("e2e", 5);
export const FAIL_FAST_PORTS = { closed: ports.scratch(0), silent: ports.scratch(1), http: ports.scratch(2) } as const;
/** What the issue promises: a dead or wrong address fails within this time. */
const LIMIT_MS = 10_000;
/** Kill the smoke test if it hangs well beyond the limit, so the check itself stays bounded. */
const KILL_AFTER = "30s";

export interface FailFastResult {
  target: string;
  address: string;
  exitCode: number | null;
  /** Wall time, start-up included. */
  ms: number;
  /** The script's own time from the start of its run to its verdict (its --json elapsedMs). */
  elapsedMs: number | undefined;
}

/** elapsedMs of the script's --json line (the last line of its stdout), if it printed one. */
function elapsedOf(stdout: string): number | undefined {
  try {
    return (JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as { elapsedMs?: number }).elapsedMs;
  } catch {
    return undefined;
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Closes the server and every connection it still holds. */
function close(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function tracked(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  return sockets;
}

/** A port where nothing listens: bind it to prove it is free, then let it go. */
async function closedPort(port: number): Promise<void> {
  const probe = createTcpServer();
  try {
    await listen(probe, port);
  } catch (error) {
    throw new Error(`127.0.0.1:${port} should be free for the closed-port case, but: ${(error as Error).message}`, {
      cause: error,
    });
  }
  await close(probe, new Set());
}

function runSmoke(address: string, log: Log): Promise<ScriptRun> {
  return runNodeScript(
    ["smoke-tests/round-trip.ts", "--bootstrap", address, "--listener", "OUTSIDE", "--count", "5", "--json"],
    log,
    { timeout: KILL_AFTER },
  );
}

/**
 * Runs the three cases; throws naming every case that passed, hung past 10 s, or failed without naming
 * the address and the OUTSIDE listener. Every server it starts is closed again.
 */
export async function failFast(log: Log): Promise<FailFastResult[]> {
  const silent = createTcpServer(); // accepts, reads, says nothing
  const silentSockets = tracked(silent);
  const http = createHttpServer((_, res) => res.writeHead(404, { "Content-Type": "text/plain" }).end("not kafka\n"));
  const httpSockets = tracked(http);
  const results: FailFastResult[] = [];
  const problems: string[] = [];
  try {
    await closedPort(FAIL_FAST_PORTS.closed);
    await listen(silent, FAIL_FAST_PORTS.silent);
    await listen(http, FAIL_FAST_PORTS.http);
    const cases = [
      { target: "closed port (nothing listens)", port: FAIL_FAST_PORTS.closed },
      { target: "TCP server that accepts and says nothing", port: FAIL_FAST_PORTS.silent },
      { target: "HTTP server", port: FAIL_FAST_PORTS.http },
    ];
    for (const { target, port } of cases) {
      const address = `127.0.0.1:${port}`;
      log(`  ${target} at ${address}:`);
      const { exitCode, ms, output, stdout } = await runSmoke(address, log);
      const elapsedMs = elapsedOf(stdout);
      results.push({ target, address, exitCode, ms, elapsedMs });
      const elapsed = elapsedMs === undefined ? "?" : `${(elapsedMs / 1000).toFixed(1)}s`;
      log(
        `  -> exit code ${exitCode ?? "none (killed)"} after ${elapsed} of its run (${(ms / 1000).toFixed(1)}s wall, start-up included)`,
      );
      const wrong: string[] = [];
      if (exitCode === 0) wrong.push("exited 0");
      if (exitCode === null) wrong.push(`was killed after ${KILL_AFTER}`);
      if (elapsedMs === undefined) wrong.push("printed no --json result with elapsedMs");
      else if (elapsedMs > LIMIT_MS) wrong.push(`took ${elapsed} of its run (limit ${LIMIT_MS / 1000}s)`);
      if (!output.includes(address)) wrong.push(`its output does not name ${address}`);
      if (!output.includes("OUTSIDE")) wrong.push("its output does not name the OUTSIDE listener");
      if (wrong.length > 0) problems.push(`${target} (${address}): ${wrong.join(", ")}`);
    }
  } finally {
    await Promise.all([close(silent, silentSockets), close(http, httpSockets)]);
  }
  log(
    `  summary: ${results.map((r) => `${r.target} ${((r.elapsedMs ?? NaN) / 1000).toFixed(1)}s (wall ${(r.ms / 1000).toFixed(1)}s) exit ${r.exitCode}`).join("; ")}`,
  );
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return results;
}
