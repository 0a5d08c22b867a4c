import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { CONFIG_KEYS } from "../../infra/model/config.js";
import { parseLabConfig } from "../../infra/model/checks.js";
import { buildTopology } from "../../infra/model/topology.js";
import { configFromStackFile } from "../../lib/stack-files.js";

const root = new URL("../../", import.meta.url);
const readYaml = (file: string) => parse(readFileSync(new URL(file, root), "utf8"));

describe("Pulumi.yaml", () => {
  const project = readYaml("Pulumi.yaml");

  it("names the project and runs infra/ on Node.js", () => {
    assert.equal(project.name, "kafka-lab");
    assert.equal(project.runtime.name, "nodejs");
    assert.equal(project.main, "infra/");
  });

  const isSecret = (spec: object) => "secret" in spec && spec.secret === true;

  it("declares exactly the plain keys the program reads, with the same types and defaults", () => {
    const plain = Object.entries(CONFIG_KEYS).filter(([, spec]) => !isSecret(spec));
    assert.deepEqual(Object.keys(project.config).sort(), plain.map(([key]) => key).sort());
    for (const [key, spec] of plain) {
      const declared = project.config[key];
      assert.equal(declared.type, spec.type, `type of ${key}`);
      assert.deepEqual(declared.default, spec.default, `default of ${key}`);
      assert.equal(
        declared.items?.type,
        "items" in spec ? spec.items : spec.type === "array" ? "string" : undefined,
        `items of ${key}`,
      );
      assert.ok(typeof declared.description === "string" && declared.description.length > 10, `description of ${key}`);
    }
  });

  it("declares no secret key: Pulumi refuses every stack that leaves a declared secret unset, default or not", () => {
    const secrets = Object.entries(CONFIG_KEYS)
      .filter(([, spec]) => isSecret(spec))
      .map(([key]) => key);
    assert.ok(secrets.length > 0);
    for (const key of secrets) assert.equal(project.config[key], undefined, `${key} is declared in Pulumi.yaml`);
    for (const declared of Object.values(project.config) as Array<{ secret?: boolean }>)
      assert.notEqual(declared.secret, true);
  });
});

describe("example stacks", () => {
  it("carry the empty passphrase's salt and no secret, and set no host port but the CI lab's", () => {
    for (const file of [
      "Pulumi.dev.yaml",
      "Pulumi.cluster.yaml",
      "Pulumi.kraft.yaml",
      "Pulumi.connect.yaml",
      "Pulumi.kubernetes.yaml",
    ]) {
      const doc = readYaml(file);
      assert.match(doc.encryptionsalt, /^v1:/, `${file} has a salt`);
      const config = Object.entries(doc.config as Record<string, unknown>);
      assert.ok(!config.some(([, v]) => typeof v === "object" && v !== null && "secure" in v), `${file}: no secret`);
      assert.ok(!config.some(([k]) => /Port$/.test(k)), `${file} sets no host port`);
    }
  });

  it("Pulumi.ci.yaml is the tutorial's lab on the local test images, off the default ports", () => {
    const config = configFromStackFile("Pulumi.ci.yaml");
    assert.match(config.kafkaImage, /^kafka-lab-local\//);
    assert.match(config.zookeeperImage, /^kafka-lab-local\//);
    assert.notEqual(config.outsidePort, 9092);
  });

  it("is the tutorial's lab: 1 ZooKeeper, 1 broker, topic_test:1:1", () => {
    const config = configFromStackFile("Pulumi.dev.yaml");
    assert.equal(config.brokers, 1);
    assert.equal(config.zookeeperNodes, 1);
    assert.equal(config.outsideHost, "localhost");
    assert.equal(config.outsidePort, 0, "left to the lab, so that it can run beside another");
    assert.deepEqual(config.topics, [{ name: "topic_test", partitions: 1, replicationFactor: 1, configs: {} }]);
  });
});

describe("README", () => {
  const readme = readFileSync(new URL("README.md", root), "utf8");
  const reference = readFileSync(new URL("docs/configuration.md", root), "utf8");

  it("documents every config key with its default (docs/configuration.md)", () => {
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      const shown = typeof spec.default === "object" ? JSON.stringify(spec.default) : String(spec.default);
      assert.ok(
        reference.includes(`| \`${key}\` | \`${shown}\` |`),
        `docs/configuration.md config table row for ${key} with default ${shown}`,
      );
    }
  });

  it("lists every stack output in its outputs table", () => {
    const outputs = buildTopology(parseLabConfig({}), { project: "kafka-lab", stack: "dev" }).outputs;
    for (const name of Object.keys(outputs))
      assert.ok(readme.includes(`| \`${name}\` |`), `README outputs table row for ${name}`);
  });

  it("gives the npm scripts that exist", () => {
    const scripts = JSON.parse(readFileSync(new URL("package.json", root), "utf8")).scripts as Record<string, string>;
    for (const [, name] of readme.matchAll(/npm run ([a-z:0-9]+)/g)) assert.ok(name! in scripts, `npm run ${name}`);
  });
});
