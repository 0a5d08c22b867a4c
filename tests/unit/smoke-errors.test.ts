import { test } from "node:test";
import assert from "node:assert/strict";
import kafkajs from "kafkajs";
import {
  causeChain,
  classifyError,
  EXIT,
  failingAddress,
  isBootstrapAddress,
  isPassingGroupError,
  PhaseTimeoutError,
  TopicMissingError,
  UsageError,
  type ErrorContext,
} from "../../smoke-tests/errors.js";

// The real kafkajs error classes, built the way kafkajs 2.2.4 builds them (network/connection.js,
// retry/index.js, network/requestQueue/socketRequest.js).
// kafkajs's .d.ts lacks some of them and some constructor options, so they are looked up untyped.
type ErrorClass = new (e: unknown, metadata?: Record<string, unknown>) => Error;
function kafkaError(name: string): ErrorClass {
  const ctor = (kafkajs as unknown as Record<string, unknown>)[name];
  assert.equal(typeof ctor, "function", `kafkajs exports ${name}`);
  return ctor as ErrorClass;
}
const KafkaJSConnectionError = kafkaError("KafkaJSConnectionError");
const KafkaJSConnectionClosedError = kafkaError("KafkaJSConnectionClosedError");
const KafkaJSNumberOfRetriesExceeded = kafkaError("KafkaJSNumberOfRetriesExceeded");
const KafkaJSNonRetriableError = kafkaError("KafkaJSNonRetriableError");
const KafkaJSProtocolError = kafkaError("KafkaJSProtocolError");
const KafkaJSRequestTimeoutError = kafkaError("KafkaJSRequestTimeoutError");

const outside: ErrorContext = { bootstrap: ["127.0.0.1:9092"], listener: "OUTSIDE", topic: "topic_test", stack: "dev" };

/** What brokerPool.connect() rejects with after its retries on a refused connection. */
function refused(broker: string, ip = broker): Error {
  const cause = new KafkaJSConnectionError(`Connection error: connect ECONNREFUSED ${ip}`, {
    broker,
    code: "ECONNREFUSED",
  });
  return new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 2, retryTime: 1000 });
}

function protocolError(type: string, code: number): Error {
  return new KafkaJSProtocolError({ message: `${type} message`, type, code, retriable: false });
}

test("ECONNREFUSED on the bootstrap address: names address and listener, exit 3", () => {
  const c = classifyError(refused("127.0.0.1:9092"), outside);
  assert.equal(c.kind, "bootstrap-unreachable");
  assert.equal(c.exitCode, 3);
  assert.equal(c.address, "127.0.0.1:9092");
  assert.equal(
    c.message,
    "cannot reach 127.0.0.1:9092 (listener OUTSIDE: the address the host uses): connection refused " +
      "(nothing listens on that port). Is the lab up? Check 'docker ps' and the port in " +
      "'pulumi stack output bootstrapServers --stack dev'.",
  );
});

test("kafkajs's broker field (the configured host) wins over the resolved IP in the message", () => {
  const c = classifyError(refused("localhost:9092", "127.0.0.1:9092"), { ...outside, bootstrap: ["localhost:9092"] });
  assert.equal(c.kind, "bootstrap-unreachable");
  assert.equal(c.address, "localhost:9092");
});

test("an address found only in the message is used too", () => {
  const c = classifyError({ message: "connect ECONNREFUSED 127.0.0.1:9092" }, outside);
  assert.equal(c.kind, "bootstrap-unreachable");
  assert.equal(c.address, "127.0.0.1:9092");
});

test("a dropped connection attempt says nothing answered", () => {
  const c = classifyError(new KafkaJSConnectionError("Connection timeout", { broker: "127.0.0.1:9092" }), outside);
  assert.equal(c.kind, "bootstrap-unreachable");
  assert.match(
    c.message,
    /^cannot reach 127\.0\.0\.1:9092 \(listener OUTSIDE.*\): no answer to the connection attempt\./,
  );
});

test("bootstrap answers but the advertised host does not resolve: advertised-unreachable", () => {
  const error = new KafkaJSConnectionError("Connection error: getaddrinfo ENOTFOUND kafka", {
    broker: "kafka:9093",
    code: "ENOTFOUND",
  });
  const c = classifyError(error, { ...outside, bootstrap: ["localhost:9092"] });
  assert.equal(c.kind, "advertised-unreachable");
  assert.equal(c.exitCode, 3);
  assert.equal(c.address, "kafka:9093");
  assert.match(c.message, /^the broker advertises kafka:9093 on listener OUTSIDE, which this client cannot reach /);
  assert.match(c.message, /bootstrap localhost:9092 answered/);
  assert.match(
    c.message,
    /set outsideHost \(pulumi config set kafka-lab:outsideHost <host>\) to an address the client can reach/,
  );
  assert.match(c.message, /check outsidePort \(the broker advertises port 9093\)/);
});

test("advertised address on another port, explained only by kafkajs's log entry", () => {
  // brokerPool.withBroker swallows the connection error; the caller attaches kafkajs's logged error.
  const error = {
    name: "TypeError",
    message: "Cannot destructure property 'topicMetadata' of '(intermediate value)' as it is null.",
    cause: {
      name: "KafkaJSLog",
      message: "Connection error: connect ECONNREFUSED 127.0.0.1:19099",
      broker: "127.0.0.1:19099",
    },
  };
  const c = classifyError(error, { ...outside, bootstrap: ["127.0.0.1:19094"] });
  assert.equal(c.kind, "advertised-unreachable");
  assert.equal(c.address, "127.0.0.1:19099");
  assert.match(c.message, /the broker advertises 127\.0\.0\.1:19099 on listener OUTSIDE/);
});

test("advertised-unreachable on INSIDE points at the lab network, not outsideHost", () => {
  const error = new KafkaJSConnectionError("Connection error: getaddrinfo ENOTFOUND kafka-1", {
    broker: "kafka-1:9093",
  });
  const c = classifyError(error, { bootstrap: ["kafka:9093"], listener: "INSIDE" });
  assert.equal(c.kind, "advertised-unreachable");
  assert.match(c.message, /advertises kafka-1:9093 on listener INSIDE/);
  assert.match(c.message, /lab's Docker network/);
  assert.doesNotMatch(c.message, /outsideHost/);
});

test("an unresolvable bootstrap host is a bootstrap problem, named as such", () => {
  const cause = new KafkaJSConnectionError("Connection error: getaddrinfo ENOTFOUND kafka", {
    broker: "kafka:9093",
    code: "ENOTFOUND",
  });
  const c = classifyError(new KafkaJSNonRetriableError(cause, { cause }), {
    bootstrap: ["kafka:9093"],
    listener: "INSIDE",
  });
  assert.equal(c.kind, "bootstrap-unreachable");
  assert.match(
    c.message,
    /^cannot reach kafka:9093 \(listener INSIDE: the address containers on the lab network use\): host name kafka does not resolve\./,
  );
  assert.match(c.message, /internalBootstrapServers/);
});

test("a request timeout is a timeout, exit 3, naming the broker", () => {
  const error = new KafkaJSRequestTimeoutError("Request Metadata(key: 3, version: 6) timed out", {
    broker: "127.0.0.1:9092",
    correlationId: 3,
    createdAt: 0,
    sentAt: 0,
    pendingDuration: 0,
  });
  const c = classifyError(error, outside);
  assert.equal(c.kind, "timeout");
  assert.equal(c.exitCode, 3);
  assert.match(
    c.message,
    /^timed out talking to 127\.0\.0\.1:9092 \(listener OUTSIDE: the address the host uses\): Request Metadata/,
  );
});

test("our own phase deadline is a timeout that says which phase", () => {
  const c = classifyError(new PhaseTimeoutError("connecting and reading topic metadata", 7000), outside);
  assert.equal(c.kind, "timeout");
  assert.equal(c.exitCode, 3);
  assert.match(c.message, /connecting and reading topic metadata did not finish within the 7000 ms deadline/);
});

test("no answer to ApiVersions means the port is not Kafka", () => {
  const error = new PhaseTimeoutError("connecting", 7000);
  (error as Error & { cause?: unknown }).cause = {
    name: "KafkaJSLog",
    message: "Request ApiVersions(key: 18, version: 2) timed out",
  };
  const c = classifyError(error, { ...outside, bootstrap: ["127.0.0.1:2181"] });
  assert.equal(c.kind, "not-kafka");
  assert.match(
    c.message,
    /^127\.0\.0\.1:2181 .* did not answer Kafka's first request \(ApiVersions\): it does not behave like a Kafka broker/,
  );
});

test("a connection closed by the server means the port is not Kafka", () => {
  const c = classifyError(
    new KafkaJSConnectionClosedError("Closed connection", { host: "127.0.0.1", port: 9092 }),
    outside,
  );
  assert.equal(c.kind, "not-kafka");
  assert.equal(c.address, "127.0.0.1:9092");
  assert.match(c.message, /closed it without a Kafka answer/);
});

test("an unknown topic is a configuration error (exit 2) that says how to declare it", () => {
  const ours = classifyError(new TopicMissingError("orders", ["topic_test"]), outside);
  assert.equal(ours.kind, "topic-missing");
  assert.equal(ours.exitCode, 2);
  assert.match(ours.message, /^topic orders does not exist on 127\.0\.0\.1:9092\./);
  assert.match(
    ours.message,
    /add "orders:1:1" \(name:partitions:replicationFactor\) to kafka-lab:topics in Pulumi\.dev\.yaml/,
  );
  assert.match(
    ours.message,
    /pulumi config set --path 'kafka-lab:topics\[<next index>\]' orders:1:1\) and run 'pulumi up'/,
  );
  const theirs = classifyError(protocolError("UNKNOWN_TOPIC_OR_PARTITION", 3), { ...outside, topic: "payments" });
  assert.equal(theirs.kind, "topic-missing");
  assert.match(theirs.message, /^topic payments does not exist/);
});

test("a missing group coordinator points at __consumer_offsets", () => {
  const c = classifyError(protocolError("COORDINATOR_NOT_AVAILABLE", 15), outside);
  assert.equal(c.kind, "coordinator");
  assert.equal(c.exitCode, 3);
  assert.match(c.message, /__consumer_offsets/);
});

test("a consumer starts again on a loading or moved coordinator, not on a missing one", () => {
  const afterRetries = (type: string, code: number) =>
    new KafkaJSNumberOfRetriesExceeded(protocolError(type, code), { retryCount: 2, retryTime: 1000 });
  assert.equal(isPassingGroupError(afterRetries("GROUP_LOAD_IN_PROGRESS", 14)), true);
  assert.equal(isPassingGroupError(afterRetries("NOT_COORDINATOR_FOR_GROUP", 16)), true);
  assert.equal(isPassingGroupError(afterRetries("GROUP_COORDINATOR_NOT_AVAILABLE", 15)), false);
  assert.equal(isPassingGroupError(refused("127.0.0.1:9092")), false);
  assert.equal(isPassingGroupError(new UsageError("--count must be a positive integer")), false);
});

test("usage errors exit 2 with their own message", () => {
  const c = classifyError(new UsageError("--count must be a positive integer"), outside);
  assert.deepEqual(c, { kind: "usage", exitCode: EXIT.usage, message: "--count must be a positive integer" });
});

test("anything else exits 3 and keeps its message", () => {
  const c = classifyError(new Error("boom"), outside);
  assert.equal(c.kind, "unknown");
  assert.equal(c.exitCode, 3);
  assert.match(c.message, /boom/);
  assert.equal(classifyError("just a string", outside).kind, "unknown");
});

test("helpers: cause chain is cycle-safe, addresses compare by host and port", () => {
  const a: { name: string; message: string; cause?: unknown } = { name: "A", message: "a" };
  a.cause = a;
  assert.equal(causeChain(a).length, 1);
  assert.equal(failingAddress(causeChain({ message: "x", cause: { broker: "h:1" } })), "h:1");
  assert.equal(isBootstrapAddress("LOCALHOST:9092", ["localhost:9092"]), true);
  assert.equal(isBootstrapAddress("localhost:9093", ["localhost:9092"]), false);
  assert.equal(isBootstrapAddress("kafka", ["kafka:9093"]), true);
});

test("a refused SASL login is an authentication error naming the user, the listener and where the password lives", () => {
  const error = Object.assign(
    new Error(
      "SASL SCRAM SHA256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256",
    ),
    {
      name: "KafkaJSSASLAuthenticationError",
    },
  );
  const classified = classifyError(error, {
    bootstrap: ["localhost:9092"],
    listener: "OUTSIDE",
    login: { username: "lab", mechanism: "scram-sha-256" },
  });
  assert.equal(classified.kind, "authentication");
  assert.equal(classified.exitCode, 4);
  assert.match(
    classified.message,
    /authentication failed at localhost:9092 \(listener OUTSIDE.*\) for user lab with SCRAM-SHA-256/,
  );
  assert.match(classified.message, /kafka-lab:outsidePassword/);
});
