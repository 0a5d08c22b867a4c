// Runs in a fresh node process (tests/unit/serialised-providers.test.ts): loads the topic provider from the text
// Pulumi's own serialiser made of it, the way Pulumi's dynamic-provider host loads it (require-from-string, then
// handler()), with `kafkajs` answered by a small stand-in cluster of two brokers, and creates a topic. What broker 2
// answers first depends on the scenario (argv[3]):
//   lagging       does not serve the new topic for its first two answers (a KRaft broker that has not replayed the
//                 controller's record yet);
//   closing       closes the connection (kafkajs "write after end"), every time;
//   unresolvable  its advertised host does not resolve, every time.
// Prints one JSON line: what happened.
"use strict";

const Module = require("node:module");
const { readFileSync } = require("node:fs");

const scenario = process.argv[3] || "lagging";
const asks = { 1: 0, 2: 0 };
let created = 0;

function connectionError(message, code) {
  const error = new Error(`Connection error: ${message}`);
  error.name = "KafkaJSConnectionError";
  error.code = code;
  return error;
}

/** Broker 2's answer to its n-th ask, by scenario; undefined: it serves the topic. */
function broker2Fails(n) {
  if (scenario === "unresolvable") return connectionError("getaddrinfo ENOTFOUND nowhere.invalid", "ENOTFOUND");
  if (scenario === "closing") return connectionError("write after end", "ERR_STREAM_WRITE_AFTER_END");
  if (n <= 2) return notServed();
  return undefined;
}

function notServed() {
  const error = new Error("This server does not host this topic-partition");
  error.name = "KafkaJSProtocolError";
  error.type = "UNKNOWN_TOPIC_OR_PARTITION";
  return error;
}

/** The stand-in cluster: createTopics through the controller, Metadata and offsets per broker. */
const fakeKafkajs = {
  logLevel: { NOTHING: 0 },
  ConfigResourceTypes: { TOPIC: 2 },
  Kafka: class {
    constructor(config) {
      this.brokers = config.brokers;
    }
    admin() {
      const only = this.brokers.length === 1 ? Number(this.brokers[0].split(":")[1]) - 9000 : undefined;
      return {
        connect: async () => undefined,
        disconnect: async () => undefined,
        describeCluster: async () => ({
          brokers: [1, 2].map((nodeId) => ({ nodeId, host: "localhost", port: 9000 + nodeId })),
        }),
        createTopics: async () => {
          created++;
          return true;
        },
        fetchTopicOffsets: async () => {
          asks[only]++;
          const failure = only === 2 ? broker2Fails(asks[2]) : undefined;
          if (failure) throw failure;
          return [{ partition: 0, offset: "0", high: "0", low: "0" }];
        },
      };
    }
  },
};

const load = Module._load;
Module._load = function (request, ...rest) {
  return /^kafkajs(\/index\.js)?$/.test(request) ? fakeKafkajs : load.call(this, request, ...rest);
};

const requireFromString = require("require-from-string");
const provider = requireFromString(readFileSync(process.argv[2], "utf8")).handler();
provider
  .create({
    name: "t",
    partitions: 1,
    replicationFactor: 1,
    configs: {},
    bootstrapServers: "localhost:9001,localhost:9002",
    clusterToken: "x",
  })
  .then((result) => console.log(JSON.stringify({ ok: true, id: result.id, asks, created })))
  .catch((error) => console.log(JSON.stringify({ ok: false, error: String(error && error.message), asks, created })));
