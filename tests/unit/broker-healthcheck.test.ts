// The brokers' healthcheck command, run by bash against a stand-in broker on loopback: healthy only when the reply
// to its Metadata request lists at least one live broker (a ZooKeeper-mode broker that has not heard from the
// controller yet lists none). The real brokers answer it in the e2e labs and test-images/check.sh.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { test } from "node:test";
import { promisify } from "node:util";
import { INSIDE_PORT, KAFKA_HEALTH_PROBE } from "../../infra/model/services/broker.js";

const run = promisify(execFile);

interface SeenRequest {
  size: number;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string;
  topics: number;
  allowAutoTopicCreation: number;
}

function parseRequest(buffer: Buffer): SeenRequest {
  const clientIdLength = buffer.readInt16BE(12);
  const after = 14 + clientIdLength;
  return {
    size: buffer.readInt32BE(0),
    apiKey: buffer.readInt16BE(4),
    apiVersion: buffer.readInt16BE(6),
    correlationId: buffer.readInt32BE(8),
    clientId: buffer.subarray(14, after).toString(),
    topics: buffer.readInt32BE(after),
    allowAutoTopicCreation: buffer.readInt8(after + 4),
  };
}

/** The start of a Metadata v4 reply: size, correlation id, throttle time, live brokers (then broker entries). */
function metadataReply(correlationId: number, brokers: number): Buffer {
  const reply = Buffer.alloc(40);
  reply.writeInt32BE(36, 0);
  reply.writeInt32BE(correlationId, 4);
  reply.writeInt32BE(0, 8);
  reply.writeInt32BE(brokers, 12);
  return reply;
}

/**
 * Runs the probe against a stand-in that answers its n-th connection with `replies[n]` (the last one from then on);
 * returns bash's exit code and the requests it sent.
 */
async function probeAgainst(...replies: Buffer[]): Promise<{ exitCode: number; requests: SeenRequest[] }> {
  const requests: SeenRequest[] = [];
  const server = createServer((socket: Socket) => {
    // The probe reads 16 bytes and moves on: the rest of the reply makes its side reset the connection.
    socket.on("error", () => undefined);
    socket.once("data", (data) => {
      requests.push(parseRequest(data));
      socket.end(replies[Math.min(requests.length, replies.length) - 1]!);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const command = KAFKA_HEALTH_PROBE.replace(`/dev/tcp/127.0.0.1/${INSIDE_PORT}`, `/dev/tcp/127.0.0.1/${port}`);
  assert.notEqual(command, KAFKA_HEALTH_PROBE, "the probe should address the INSIDE port on loopback");
  try {
    const exitCode = await run("bash", ["-c", command]).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );
    return { exitCode, requests };
  } finally {
    server.close();
  }
}

test("the probe sends a Metadata v4 request for no topics, without auto-creation", async () => {
  const { requests } = await probeAgainst(metadataReply(1, 1));
  assert.deepEqual(requests, [
    { size: 17, apiKey: 3, apiVersion: 4, correlationId: 1, clientId: "hc", topics: 0, allowAutoTopicCreation: 0 },
  ]);
});

test("a broker that lists live brokers is healthy at the first answer", async () => {
  for (const brokers of [1, 3]) {
    const { exitCode, requests } = await probeAgainst(metadataReply(1, brokers));
    assert.equal(exitCode, 0);
    assert.equal(requests.length, 1);
  }
});

test("a broker whose metadata arrives a moment after its first answers is healthy once it lists a broker", async () => {
  const { exitCode, requests } = await probeAgainst(metadataReply(1, 0), metadataReply(1, 0), metadataReply(1, 1));
  assert.equal(exitCode, 0);
  assert.equal(requests.length, 3);
});

test("a broker that knows no live broker (no metadata from the controller) is not healthy, asked 10 times", async () => {
  const { exitCode, requests } = await probeAgainst(metadataReply(1, 0));
  assert.equal(exitCode, 1);
  assert.equal(requests.length, 10);
});

test("a reply to another request (correlation id) or a cut-short reply is not health, at once", async () => {
  for (const reply of [metadataReply(2, 3), metadataReply(1, 3).subarray(0, 12)]) {
    const { exitCode, requests } = await probeAgainst(reply);
    assert.equal(exitCode, 1);
    assert.equal(requests.length, 1);
  }
});
