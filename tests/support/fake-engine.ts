// A stand-in for the Docker Engine API, enough for docker-engine.cjs's calls: /_ping, /version, an echo of a
// JSON body, and an exec (create, start with the upgraded and multiplexed stream the engine sends, inspect).
// Serve it on a unix socket, on TCP or on TLS with `listen`.

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

export interface FakeEngine {
  /** Every request's method and path, in order. */
  calls: string[];
  /** The bodies of exec creations. */
  execs: Array<{ Cmd: string[]; Env: string[] }>;
  /** What every exec exits with (3 unless set). */
  exitCode: number;
}

/** One multiplexed frame: stream 1 (stdout) or 2 (stderr). */
export function frame(streamId: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(streamId, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString()));
  });
}

/** What an exec writes: its command line on stdout, "warning" on stderr. */
function execOutput(engine: FakeEngine): Buffer {
  const last = engine.execs.at(-1);
  return Buffer.concat([frame(1, `ran ${last?.Cmd.join(" ")}\n`), frame(2, "warning\n")]);
}

/** Serves the fake engine on `server` (an http or https server, not listening yet). */
export function serveFakeEngine(server: Server): FakeEngine {
  const engine: FakeEngine = { calls: [], execs: [], exitCode: 3 };
  server.on("request", async (req: IncomingMessage, res: ServerResponse) => {
    engine.calls.push(`${req.method} ${req.url}`);
    const body = await readBody(req);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.url === "/_ping") return void res.end("OK");
    if (req.url === "/version") return json(200, { ApiVersion: "1.41", Version: "fake" });
    if (req.url === "/echo") return json(200, { method: req.method, body: body === "" ? null : JSON.parse(body) });
    if (req.url === "/containers/c1/exec") {
      engine.execs.push(JSON.parse(body));
      return json(201, { Id: "e1" });
    }
    if (req.url === "/containers/missing/exec") return json(404, { message: "No such container: missing" });
    // Without "Upgrade: tcp" the engine sends the stream as the body and closes the connection.
    if (req.url === "/exec/e1/start") {
      res.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream", Connection: "close" });
      return void res.end(execOutput(engine));
    }
    if (req.url === "/exec/e1/json") return json(200, { Running: false, ExitCode: engine.exitCode });
    json(404, { message: `no such endpoint ${req.url}` });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    engine.calls.push(`${req.method} ${req.url} (upgrade ${req.headers.upgrade})`);
    req.on("data", () => undefined);
    socket.write(
      "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
    );
    socket.end(execOutput(engine));
  });
  return engine;
}

/** Listens on a unix socket path or on a loopback port (0: any); resolves with the port (0 for a socket). */
export function listen(server: Server, where: string | number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    };
    if (typeof where === "string") server.listen(where, done);
    else server.listen(where, "127.0.0.1", done);
  });
}
