// Topic configs are checked against the catalogue of the lab's Kafka line (infra/topic-configs/kafka-*.json, dumped
// from Kafka's own LogConfig by scripts/gen-topic-configs/gen.sh), and the check agrees with Kafka: every probe of
// tests/unit/fixtures/topic-config-probes (Kafka's LogConfig.validate on one value) gets the same verdict here.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  checkTopicConfig,
  checkTopicConfigs,
  closestNames,
  kafkaLineOf,
  topicConfigCatalogue,
  type KafkaLine,
} from "../../infra/topic-configs.js";
import { projectRoot } from "../../lib/paths.js";

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

describe("topic config catalogues", () => {
  for (const [line, file] of LINES) {
    it(`${file} is the generator's dump of the Kafka release its probes came from`, () => {
      const data = JSON.parse(readFileSync(join(projectRoot, "infra/topic-configs", file), "utf8"));
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
