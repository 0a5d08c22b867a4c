// Topic configs are checked against the catalogue of the lab's Kafka line (infra/topic-configs/kafka-*.json, dumped
// from Kafka's own LogConfig by scripts/gen-topic-configs/gen.sh), and the check agrees with Kafka: every probe of
// tests/unit/fixtures/topic-config-probes (Kafka's LogConfig.validate on one value) gets the same verdict here.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError } from "../../infra/model/config.js";
import { parseLabConfig } from "../../infra/model/checks.js";
import {
  checkTopicConfig,
  checkTopicConfigs,
  closestNames,
  kafkaLineOf,
  topicConfigCatalogue,
  type KafkaLine,
} from "../../infra/model/topic-configs.js";
import { formatTopicSpec, parseTopicSpec, parseTopicSpecs } from "../../infra/model/topics.js";
import { projectRoot } from "../../lib/paths.js";
import { configFromStackFile, rawConfigOf, readTrackedStackFile } from "../../lib/stack-files.js";

const LINES: [KafkaLine, string][] = [
  ["3.9", "kafka-3.9.json"],
  ["4.x", "kafka-4.4.json"],
];

interface Probe {
  name: string;
  value: string;
  accepted: boolean;
  kafka?: string;
}

function probes(file: string): { kafkaVersion: string; probes: Probe[] } {
  return JSON.parse(readFileSync(join(projectRoot, "tests/unit/fixtures/topic-config-probes", file), "utf8"));
}

/** The one problem of a single-config topic on a line, or undefined. */
function problem(line: KafkaLine, config: string): string | undefined {
  const parsed = parseTopicSpec(`orders:1:1:${config}`, 1, line);
  return typeof parsed === "string" ? parsed : undefined;
}

describe("topic config catalogues", () => {
  for (const [line, file] of LINES) {
    it(`${file} is the generator's dump of the Kafka release its probes came from`, () => {
      const data = JSON.parse(readFileSync(join(projectRoot, "infra/model/topic-configs", file), "utf8"));
      assert.match(data.generator, /scripts\/gen-topic-configs/);
      assert.equal(data.configCount, data.configs.length);
      assert.equal(probes(file).kafkaVersion, data.kafkaVersion);
      assert.equal(topicConfigCatalogue(line).kafkaVersion, data.kafkaVersion);
    });

    it(`agrees with Kafka ${line} on every probe`, () => {
      const { probes: all } = probes(file);
      assert.ok(all.length > 500, `only ${all.length} probes`);
      const disagreements = all
        .filter((p) => (checkTopicConfig(line, p.name, p.value) === undefined) !== p.accepted)
        .map((p) => `${p.name}=${JSON.stringify(p.value)}: Kafka ${p.accepted ? "accepts" : `refuses (${p.kafka})`}`);
      assert.deepEqual(disagreements, []);
    });
  }

  it("the lab mode chooses the line: zookeeper mode runs Kafka 3.9, kraft mode Kafka 4.x", () => {
    assert.equal(kafkaLineOf("zookeeper"), "3.9");
    assert.equal(kafkaLineOf("kraft"), "4.x");
    assert.match(topicConfigCatalogue("3.9").kafkaVersion, /^3\.9\./);
    assert.match(topicConfigCatalogue("4.x").kafkaVersion, /^4\./);
  });
});

describe("topic configs the repo declares", () => {
  const stackFiles = readdirSync(projectRoot).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

  for (const file of stackFiles) {
    it(`${file}: every topic passes on its stack's line`, () => {
      const declared = JSON.parse(rawConfigOf(readTrackedStackFile(file)).topics ?? "[]") as string[];
      const config = configFromStackFile(file);
      assert.deepEqual(config.topics.map(formatTopicSpec), declared);
    });
  }

  it("the examples of the README, tests and topics.ts pass on both lines", () => {
    const examples = [
      "orders:6:3:min.insync.replicas=2,retention.ms=86400000",
      "orders:6:3:cleanup.policy=compact,min.insync.replicas=2",
      "orders:3:1:cleanup.policy=compact,retention.ms=60000",
      "orders:3:1:retention.ms=3600000",
      "replicated:3:3:min.insync.replicas=2",
    ];
    for (const line of ["3.9", "4.x"] as const)
      for (const example of examples) assert.deepEqual(parseTopicSpecs([example], 3, line).problems, [], example);
  });
});

describe("refused topic configs", () => {
  for (const line of ["3.9", "4.x"] as const) {
    it(`${line}: a value of the wrong type, with the type and range`, () => {
      assert.equal(
        problem(line, "retention.ms=abc"),
        'retention.ms of topic orders must be a whole number (LONG) from -1 to 9223372036854775807, got "abc"',
      );
      assert.match(problem(line, "retention.ms=1.5") ?? "", /whole number \(LONG\)/);
      assert.match(problem(line, "preallocate=yes") ?? "", /preallocate of topic orders must be true or false/);
      assert.match(
        problem(line, "min.cleanable.dirty.ratio=half") ?? "",
        /min.cleanable.dirty.ratio of topic orders must be a number \(DOUBLE\) from 0 to 1, got "half"/,
      );
    });

    it(`${line}: an unknown name, with the closest known names`, () => {
      assert.match(problem(line, "no.such.config=1") ?? "", /^no.such.config of topic orders is not a topic config of/);
      assert.match(problem(line, "no.such.config=1") ?? "", /listed in infra\/topic-configs\/kafka-\d\.\d\.json/);
      assert.match(problem(line, "retention.msec=1") ?? "", /did you mean retention.ms\?/);
      assert.match(problem(line, "min.insync.replica=1") ?? "", /did you mean min.insync.replicas\?/);
      assert.match(problem(line, "segment.byte=1048576") ?? "", /did you mean segment.bytes\?/);
    });

    it(`${line}: a string that is not one of the allowed ones (case matters where Kafka says so)`, () => {
      assert.equal(
        problem(line, "cleanup.policy=compacted"),
        'cleanup.policy of topic orders must be a comma-separated list of compact, delete (or empty), got "compacted"',
      );
      assert.match(
        problem(line, "compression.type=ZSTD") ?? "",
        /one of uncompressed, zstd, lz4, snappy, gzip, producer/,
      );
      assert.match(problem(line, "message.timestamp.type=createtime") ?? "", /one of CreateTime, LogAppendTime/);
    });

    it(`${line}: out of range`, () => {
      assert.equal(
        problem(line, "min.insync.replicas=0"),
        'min.insync.replicas of topic orders must be a whole number (INT) from 1 to 2147483647, got "0"',
      );
      assert.match(
        problem(line, "segment.bytes=1") ?? "",
        /segment.bytes of topic orders must be a whole number \(INT\) from/,
      );
      assert.match(problem(line, "compression.gzip.level=0") ?? "", /from 1 to 9, or -1, got "0"/);
      assert.match(problem(line, "max.message.bytes=2147483648") ?? "", /\(INT\) from 0 to 2147483647/);
    });

    it(`${line}: every bad config of a topic is a problem of its own`, () => {
      const { problems } = parseTopicSpecs(["orders:1:1:retention.ms=abc,segment.ms=0"], 1, line);
      assert.deepEqual(
        problems.map((p) => p.allowed.split(" ")[0]),
        ["retention.ms", "segment.ms"],
      );
      assert.ok(problems.every((p) => p.value === "orders:1:1:retention.ms=abc,segment.ms=0"));
    });
  }

  it("segment.bytes: Kafka 3.9 takes 14 bytes and up, 4.x 1 MiB and up", () => {
    assert.equal(problem("3.9", "segment.bytes=1000"), undefined);
    assert.match(problem("3.9", "segment.bytes=1") ?? "", /from 14 to 2147483647/);
    assert.match(problem("4.x", "segment.bytes=1000") ?? "", /from 1048576 to 2147483647/);
  });

  it("configs that Kafka 4.0 removed are refused only in kraft mode, the ones 4.x added only in zookeeper mode", () => {
    for (const config of [
      "message.format.version=3.0",
      "message.downconversion.enable=false",
      "message.timestamp.difference.max.ms=1000",
    ]) {
      assert.equal(problem("3.9", config), undefined, config);
      assert.match(
        problem("4.x", config) ?? "",
        /is not a topic config of Kafka 4.4 \(kraft mode\), only of Kafka 3.9/,
      );
    }
    for (const config of ["max.decompressed.message.bytes=1048576", "remote.copy.lag.ms=-1"]) {
      assert.equal(problem("4.x", config), undefined, config);
      assert.match(
        problem("3.9", config) ?? "",
        /not a topic config of Kafka 3.9 \(zookeeper mode\), only of Kafka 4.4/,
      );
    }
    assert.match(problem("3.9", "message.format.version=4.0") ?? "", /one of 0.8.0, 0.8.1, 0.8.2, \.\.\. /);
  });

  it("min.insync.replicas above the replication factor is still refused, also written +2", () => {
    assert.match(problem("3.9", "min.insync.replicas=+2") ?? "", /min.insync.replicas=\+2 of orders is more than/);
  });
});

describe("list configs in the colon notation", () => {
  it("the items after a list config belong to it, up to the next key=value", () => {
    const parsed = parseTopicSpec("orders:3:1:cleanup.policy=compact,delete,retention.ms=60000", 1, "4.x");
    assert.ok(typeof parsed !== "string", String(parsed));
    assert.deepEqual(parsed.configs, { "cleanup.policy": "compact,delete", "retention.ms": "60000" });
    assert.equal(formatTopicSpec(parsed), "orders:3:1:cleanup.policy=compact,delete,retention.ms=60000");
  });

  it("each item is checked", () => {
    assert.match(problem("3.9", "cleanup.policy=compact,purge") ?? "", /got "compact,purge"/);
    assert.match(problem("4.x", "cleanup.policy=compact,,retention.ms=1") ?? "", /got "compact,"/);
  });

  it("after a config that is no list, an item without = is refused as before", () => {
    assert.match(problem("3.9", "retention.ms=1,delete") ?? "", /topic config "delete" must be key=value/);
  });

  it("throttled replicas take partition:broker pairs or *", () => {
    assert.equal(problem("3.9", "leader.replication.throttled.replicas=0:1,1:2"), undefined);
    assert.equal(problem("4.x", "follower.replication.throttled.replicas=*"), undefined);
    assert.match(problem("4.x", "leader.replication.throttled.replicas=0-1") ?? "", /partition:broker pairs/);
  });
});

describe("parseLabConfig refuses a bad topic config before anything is created", () => {
  function topicProblems(raw: Record<string, string>): string[] {
    try {
      parseLabConfig(raw);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems.filter((p) => p.key === "topics").map((p) => p.allowed);
    }
    return [];
  }

  it("checks the topics against the line of the mode", () => {
    const topics = JSON.stringify(["old:1:1:message.format.version=3.0"]);
    assert.deepEqual(topicProblems({ topics }), []);
    assert.deepEqual(topicProblems({ mode: "kraft", kraftImage: "apache/kafka:4.4.0", topics }), [
      "message.format.version of topic old is not a topic config of Kafka 4.4 (kraft mode), only of Kafka 3.9 (zookeeper mode)",
    ]);
  });

  it("names the key and the topic entry in the error", () => {
    assert.throws(
      () => parseLabConfig({ topics: JSON.stringify(["orders:1:1:retention.ms=abc"]) }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /kafka-lab:topics = "orders:1:1:retention.ms=abc": retention.ms of topic orders must be a whole number/.test(
          error.message,
        ),
    );
  });
});

describe("suggestions", () => {
  it("are a few edits away, or contain the typo", () => {
    assert.deepEqual(closestNames("retention.msec", ["retention.ms", "retention.bytes", "segment.ms"]), [
      "retention.ms",
    ]);
    assert.deepEqual(closestNames("compression", ["compression.type", "compression.lz4.level", "segment.ms"]), [
      "compression.type",
      "compression.lz4.level",
    ]);
    assert.deepEqual(closestNames("no.such.config", ["retention.ms"]), []);
  });

  it("checkTopicConfigs names the topic in each problem", () => {
    assert.deepEqual(checkTopicConfigs("3.9", "t", { "retention.ms": "1", "segment.ms": "0" }), [
      'segment.ms of topic t must be a whole number (LONG) from 1 to 9223372036854775807, got "0"',
    ]);
  });
});
