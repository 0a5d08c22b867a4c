import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../../smoke-tests/errors.js";
import {
  freshGroupId,
  padJson,
  parseBootstrap,
  parseInsideOptions,
  parsePositiveInt,
  parseRoundTripOptions,
  parseSaslLogin,
  type ParsedArgs,
} from "../../smoke-tests/options.js";

const fixedNow = (): number => 1_700_000_000_000;
const fixedRandom = (): number => 0.5;
const args = (flags: Record<string, unknown>): ParsedArgs => ({ _: [], ...flags });

test("defaults: topic_test, 100 messages, 30 s, OUTSIDE, a fresh group, bootstrap left to pulumi", () => {
  const o = parseRoundTripOptions(args({}), {}, fixedNow, fixedRandom);
  assert.equal(o.bootstrap, undefined);
  assert.equal(o.topic, "topic_test");
  assert.equal(o.count, 100);
  assert.equal(o.timeoutMs, 30_000);
  assert.equal(o.listener, "OUTSIDE");
  assert.equal(o.stack, "dev");
  assert.equal(o.group, "my-group-id-1700000000000-" + Math.floor(0.5 * 36 ** 6).toString(36));
  assert.equal(o.freshGroup, true);
  assert.equal(o.json, false);
});

test("flags beat the environment; the environment beats defaults", () => {
  const env = { KAFKA_LAB_BOOTSTRAP: "envhost:9092", KAFKA_LAB_STACK: "ci" };
  assert.deepEqual(parseRoundTripOptions(args({}), env).bootstrap, ["envhost:9092"]);
  assert.equal(parseRoundTripOptions(args({}), env).stack, "ci");
  const o = parseRoundTripOptions(
    args({ bootstrap: "a:1,b:2", stack: "s1", group: "g", listener: "inside", json: true }),
    env,
  );
  assert.deepEqual(o.bootstrap, ["a:1", "b:2"]);
  assert.equal(o.stack, "s1");
  assert.equal(o.group, "g");
  assert.equal(o.freshGroup, false);
  assert.equal(o.listener, "INSIDE");
  assert.equal(o.json, true);
});

test("--count must be a positive integer up to 10,000,000", () => {
  assert.equal(parseRoundTripOptions(args({ count: "10000000" }), {}).count, 10_000_000);
  for (const bad of ["0", "-1", "1.5", "1e3", "10000001", "ten"]) {
    assert.throws(() => parseRoundTripOptions(args({ count: bad }), {}), UsageError, `--count ${bad}`);
  }
  assert.equal(parsePositiveInt("7", "--x", 10), 7);
});

test("bad input is a UsageError that says what is wrong", () => {
  assert.throws(() => parseRoundTripOptions(args({ boostrap: "x:1" }), {}), /unknown flag --boostrap/);
  assert.throws(() => parseRoundTripOptions(args({ count: ["1", "2"] }), {}), /--count given more than once/);
  assert.throws(() => parseRoundTripOptions({ _: ["extra"] }, {}), /unexpected argument extra/);
  assert.throws(() => parseRoundTripOptions(args({ bootstrap: true }), {}), /--bootstrap needs a value/);
  assert.throws(() => parseRoundTripOptions(args({ listener: "middle" }), {}), /OUTSIDE or INSIDE/);
  assert.throws(() => parseRoundTripOptions(args({ topic: "a/b" }), {}), /not a valid Kafka topic name/);
  assert.throws(
    () => parseRoundTripOptions(args({}), { KAFKA_LAB_BOOTSTRAP: "nohost" }),
    /KAFKA_LAB_BOOTSTRAP: "nohost" is not host:port/,
  );
});

test("bootstrap lists: host:port entries, ports 1-65535", () => {
  assert.deepEqual(parseBootstrap(" localhost:9092 , 127.0.0.1:9093 ", "x"), ["localhost:9092", "127.0.0.1:9093"]);
  assert.throws(() => parseBootstrap("localhost:0", "x"), UsageError);
  assert.throws(() => parseBootstrap("localhost:65536", "x"), UsageError);
  assert.throws(() => parseBootstrap("[::1]:9092", "x"), UsageError);
  assert.throws(() => parseBootstrap(",", "x"), /is empty/);
});

test("fresh group ids differ between runs", () => {
  assert.notEqual(
    freshGroupId(1, () => 0.1),
    freshGroupId(1, () => 0.2),
  );
  assert.match(freshGroupId(5, Math.random), /^my-group-id-5-[0-9a-z]{6}$/);
});

test("inside: network and bootstrap from flags or env, default image, pass-through flags validated", () => {
  const o = parseInsideOptions(args({ count: "5", topic: "t1", "timeout-ms": "9000", group: "g", json: true }), {
    KAFKA_LAB_NETWORK: "lab-net",
    KAFKA_LAB_INTERNAL_BOOTSTRAP: "kafka-1:9093,kafka-2:9093",
    KAFKA_LAB_NAME: "lab",
  });
  assert.equal(o.network, "lab-net");
  assert.deepEqual(o.internalBootstrap, ["kafka-1:9093", "kafka-2:9093"]);
  assert.equal(o.clientImage, "node:22-bookworm-slim");
  assert.equal(o.lab, "lab");
  assert.deepEqual(o.passThrough, ["--topic", "t1", "--count", "5", "--timeout-ms", "9000", "--group", "g", "--json"]);
  const flagged = parseInsideOptions(args({ network: "n2", "client-image": "img:1" }), {
    KAFKA_LAB_NETWORK: "lab-net",
    KAFKA_LAB_CLIENT_IMAGE: "img:0",
  });
  assert.equal(flagged.network, "n2");
  assert.equal(flagged.clientImage, "img:1");
  assert.equal(parseInsideOptions(args({}), { KAFKA_LAB_CLIENT_IMAGE: "img:0" }).clientImage, "img:0");
  assert.throws(() => parseInsideOptions(args({ count: "0" }), {}), UsageError);
  assert.throws(() => parseInsideOptions(args({ bootstrap: "a:1" }), {}), /unknown flag --bootstrap/);
  assert.throws(() => parseInsideOptions(args({ network: "bad net" }), {}), /not a Docker network name/);
});

test("--message-bytes: absent means unpadded; 100 to 1,000,000 bytes", () => {
  assert.equal(parseRoundTripOptions(args({}), {}).messageBytes, undefined);
  assert.equal(parseRoundTripOptions(args({ "message-bytes": "1024" }), {}).messageBytes, 1024);
  assert.equal(parseRoundTripOptions(args({ "message-bytes": "100" }), {}).messageBytes, 100);
  assert.equal(parseRoundTripOptions(args({ "message-bytes": "1000000" }), {}).messageBytes, 1_000_000);
  for (const bad of ["99", "0", "1.5", "1k", "1000001"]) {
    assert.throws(
      () => parseRoundTripOptions(args({ "message-bytes": bad }), {}),
      UsageError,
      `--message-bytes ${bad}`,
    );
  }
  assert.throws(() => parseRoundTripOptions(args({ "message-bytes": true }), {}), /--message-bytes needs a value/);
});

test("padJson: exactly N bytes of valid JSON, the message's fields unchanged, a filler field added", () => {
  const message = JSON.stringify({ counter: 9_999_999, sentAt: 1_700_000_000_000, run: "mi3abcde-0a1b2c3d" });
  for (const bytes of [100, 1024, 65_536]) {
    const padded = padJson(message, bytes);
    assert.equal(Buffer.byteLength(padded), bytes);
    const parsed = JSON.parse(padded) as Record<string, unknown>;
    assert.deepEqual({ ...parsed, pad: undefined }, { ...JSON.parse(message), pad: undefined });
    assert.match(String(parsed.pad), /^x*$/);
  }
  assert.equal(padJson("{}", 20), `{"pad":"${"x".repeat(10)}"}`);
  assert.equal(Buffer.byteLength(padJson(JSON.stringify({ name: "ü" }), 50)), 50);
  assert.throws(() => padJson(message, 60), /--message-bytes 60 is too small/);
  assert.throws(() => padJson("[1]", 100), TypeError);
});

describe("SASL login", () => {
  it("takes the mechanism and user from flags or env, and the password only from KAFKA_LAB_PASSWORD", () => {
    const login = parseSaslLogin(
      { "sasl-mechanism": "SCRAM-SHA-256", username: "alice" },
      { KAFKA_LAB_PASSWORD: "s3cret-pass" },
    );
    assert.deepEqual(login, { mechanism: "scram-sha-256", username: "alice", password: "s3cret-pass" });
    assert.deepEqual(
      parseSaslLogin({}, { KAFKA_LAB_SASL_MECHANISM: "scram-sha-512", KAFKA_LAB_PASSWORD: "p4ssword" }),
      { mechanism: "scram-sha-512", username: "lab", password: "p4ssword" },
    );
    assert.equal(parseSaslLogin({}, {}), undefined);
    assert.equal(parseSaslLogin({ "sasl-mechanism": "none" }, {}), undefined);
  });

  it("refuses a mechanism without a password, and an unknown mechanism", () => {
    assert.throws(() => parseSaslLogin({ "sasl-mechanism": "scram-sha-256" }, {}), /set KAFKA_LAB_PASSWORD/);
    assert.throws(
      () => parseSaslLogin({ "sasl-mechanism": "plain" }, { KAFKA_LAB_PASSWORD: "x" }),
      /must be none, scram-sha-256 or scram-sha-512/,
    );
  });

  it("has no password flag", () => {
    assert.throws(() => parseRoundTripOptions({ password: "oops" }, {}), /unknown flag --password/);
  });
});

test("--consume-topic: the round trip reads back from --topic unless another topic is named; both must be topic names", () => {
  assert.equal(parseRoundTripOptions(args({ topic: "a" }), {}).consumeTopic, "a");
  assert.equal(
    parseRoundTripOptions(args({ topic: "connect_in", "consume-topic": "connect_out" }), {}).consumeTopic,
    "connect_out",
  );
  assert.throws(
    () => parseRoundTripOptions(args({ "consume-topic": "no spaces" }), {}),
    /--consume-topic "no spaces" is not a valid Kafka topic name/,
  );
  const inside = parseInsideOptions(args({ "consume-topic": "connect_out" }), {});
  assert.deepEqual(inside.passThrough, ["--consume-topic", "connect_out"]);
});

test("inside --services: the services' lab-network URLs from flags must be http://host:port[/path]", () => {
  const inside = parseInsideOptions(args({ services: true, "connect-url": "http://connect:8083" }), {});
  assert.equal(inside.services, true);
  assert.equal(inside.connectUrl, "http://connect:8083");
  const apicurio = "http://schema-registry:8080/apis/ccompat/v7";
  assert.equal(parseInsideOptions(args({ "registry-url": apicurio }), {}).registryUrl, apicurio);
  for (const bad of ["schema-registry:8081", "http://schema-registry:8080/apis/", "http://r:8081/x?y=1"])
    assert.throws(
      () => parseInsideOptions(args({ "registry-url": bad }), {}),
      /--registry-url must look like http:\/\/host:port/,
      bad,
    );
});
