// The Pulumi program's resource graph, checked against the topology it is built from.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { before, describe, it } from "node:test";
import { parseLabConfig } from "../../infra/model/checks.js";
import { buildTopology, type LabTopology } from "../../infra/model/topology.js";
import { DOCKER_PROVIDER_VERSION } from "../../infra/docker/docker-lab.js";
import { installMocks, outputValue, runProgram, type Registered } from "../support/pulumi-mocks.js";
import { dockerVolumes, volumesOf } from "../../infra/docker/volumes.js";

const config = {
  brokers: "2",
  outsidePort: "19092",
  topics: JSON.stringify(["topic_test:1:1", "orders:3:2:retention.ms=60000"]),
};
const registered: Registered[] = installMocks(config);
const topology: LabTopology = buildTopology(parseLabConfig(config), { project: "kafka-lab", stack: "dev" });
let program: Record<string, any>;

before(async () => {
  program = await runProgram();
  await outputValue(program.bootstrapServers);
});

const ofType = (type: string) => registered.filter((r) => r.type === type);

describe("resource graph under Pulumi mocks", () => {
  it("registers one KafkaLab component holding everything", () => {
    assert.equal(ofType("kafka-lab:index:KafkaLab").length, 1);
  });

  it("makes every Docker resource through the one explicit Docker provider (pinned at the plugin CI runs)", () => {
    const [provider, ...more] = ofType("pulumi:providers:docker");
    assert.equal(more.length, 0);
    const dockerResources = registered.filter((r) => r.type.startsWith("docker:"));
    assert.ok(dockerResources.length > 0);
    for (const resource of dockerResources)
      assert.match(resource.provider ?? "", new RegExp(`pulumi:providers:docker::${provider!.name}::`), resource.name);
    // The version itself is a resource option, which mocks do not see: the e2e reads it from the real state.
    assert.equal(DOCKER_PROVIDER_VERSION, "5.1.0");
  });

  it("registers the network with the topology's name and labels, through the engine API (no fixed wait)", () => {
    assert.equal(ofType("docker:index/network:Network").length, 0, "not the Docker provider's network");
    const [network, ...more] = ofType("pulumi-nodejs:dynamic/kafka-lab:LabNetwork");
    assert.equal(more.length, 0);
    assert.equal(network!.inputs.name, topology.network.name);
    assert.deepEqual(network!.inputs.labels, topology.network.labels);
    assert.match(network!.inputs.__provider, /networks\/create/);
  });

  it("removes each volume through the engine once its containers are gone, unless the lab keeps them", () => {
    const removals = ofType("pulumi-nodejs:dynamic/kafka-lab:VolumeRemoval");
    assert.deepEqual(
      removals.map((r) => [r.inputs.name, r.inputs.keep]).sort(),
      dockerVolumes(topology)
        .map((v) => [v.name, v.keep])
        .sort(),
    );
    assert.match(removals[0]!.inputs.__provider, /volumes\//);
  });

  it("waits for each container's health with its own probe, after the container", () => {
    const waits = ofType("pulumi-nodejs:dynamic/kafka-lab:ContainerHealthy");
    assert.deepEqual(waits.map((w) => w.name).sort(), topology.containers.map((c) => `healthy-${c.key}`).sort());
    for (const spec of topology.containers) {
      const wait = waits.find((w) => w.name === `healthy-${spec.key}`)!;
      assert.equal(wait.inputs.container, spec.name);
      assert.equal(wait.inputs.containerId, `${spec.key}-id`);
      assert.deepEqual(wait.inputs.probe, spec.healthcheck.test.slice(1));
      assert.equal(wait.inputs.timeoutSeconds, topology.waitTimeoutSeconds);
    }
  });

  it("registers each image once, kept locally on destroy", () => {
    const images = ofType("docker:index/remoteImage:RemoteImage");
    assert.deepEqual(images.map((i) => i.inputs.name).sort(), [...topology.images].sort());
    for (const image of images) assert.equal(image.inputs.keepLocally, true);
  });

  it("registers every container with the topology's values", () => {
    const containers = ofType("docker:index/container:Container");
    assert.deepEqual(containers.map((c) => c.name).sort(), topology.containers.map((c) => c.key).sort());
    for (const spec of topology.containers) {
      const c = containers.find((r) => r.name === spec.key)!;
      assert.equal(c.inputs.name, spec.name);
      assert.equal(c.inputs.image, `sha256:id-of-${spec.image}`);
      assert.equal(c.inputs.hostname, spec.hostname);
      assert.deepEqual(
        [...c.inputs.envs].sort(),
        Object.entries(spec.env)
          .map(([k, v]) => `${k}=${v}`)
          .sort(),
      );
      assert.deepEqual(c.inputs.networksAdvanced, [{ name: topology.network.name, aliases: spec.aliases }]);
      assert.deepEqual(
        c.inputs.ports,
        spec.ports.map(({ internal, external, ip }) => ({ internal, external, ip, protocol: "tcp" })),
      );
      assert.deepEqual(c.inputs.healthcheck.tests, spec.healthcheck.test);
      assert.equal(c.inputs.wait, false, "its health is waited for by ContainerHealthy, not the provider's polling");
      assert.equal(c.inputs.memory, spec.memoryMb);
      assert.equal(
        c.inputs.memorySwap,
        spec.memoryMb,
        "no swap on top; unset, Docker stores 2x and every preview shows a diff",
      );
      assert.equal(c.inputs.destroyGraceSeconds, spec.stopGraceSeconds);
      assert.equal(
        c.inputs.stopTimeout,
        spec.stopGraceSeconds,
        "a docker stop by hand gets the same grace as pulumi destroy",
      );
      assert.equal(c.inputs.mounts, undefined, "nothing is bind-mounted, least of all the Docker socket");
      assert.deepEqual(
        c.inputs.volumes,
        volumesOf(topology, spec).map((v) => ({ volumeName: v.name, containerPath: v.containerPath })),
        "only the lab's own named volumes",
      );
      assert.ok(volumesOf(topology, spec).every((v) => v.name.startsWith(`${topology.labName}-${spec.key}-`)));
      assert.equal(c.inputs.removeVolumes, true);
    }
  });

  it("registers the topics through the dynamic provider, against the OUTSIDE listener", () => {
    const topics = ofType("pulumi-nodejs:dynamic/kafka-lab:KafkaTopic");
    assert.deepEqual(
      topics.map((t) => t.inputs.name),
      ["topic_test", "orders"],
    );
    const orders = topics[1]!.inputs;
    assert.equal(orders.partitions, 3);
    assert.equal(orders.replicationFactor, 2);
    assert.deepEqual(orders.configs, { "retention.ms": "60000" });
    assert.equal(orders.bootstrapServers, "localhost:19092,localhost:19093");
    assert.equal(orders.clusterToken, "kafka-1-id,kafka-2-id");
    assert.match(
      orders.__provider,
      /require\("kafkajs(\/index\.js)?"\)/,
      "the serialised provider must load kafkajs itself",
    );
  });

  it("registers the consumer-group readiness after the brokers, through OUTSIDE", () => {
    const [readiness, ...more] = ofType("pulumi-nodejs:dynamic/kafka-lab:ConsumerGroupReadiness");
    assert.equal(more.length, 0);
    assert.equal(readiness!.inputs.bootstrapServers, "localhost:19092,localhost:19093");
    assert.equal(readiness!.inputs.clusterToken, "kafka-1-id,kafka-2-id");
    assert.match(readiness!.inputs.__provider, /describeGroups/);
  });

  it("serialises a provider that loads and decides like the source", async () => {
    // Load the text Pulumi stores in the state exactly as its dynamic-provider host does.
    const requireFromString = createRequire(import.meta.url)("require-from-string");
    const serialised = ofType("pulumi-nodejs:dynamic/kafka-lab:KafkaTopic")[0]!.inputs.__provider;
    const provider = requireFromString(serialised).handler();
    for (const method of ["create", "diff", "update", "delete"])
      assert.equal(typeof provider[method], "function", method);
    const olds = {
      name: "t",
      partitions: 3,
      replicationFactor: 1,
      configs: {},
      bootstrapServers: "localhost:9092",
      clusterToken: "a",
    };
    assert.deepEqual(await provider.diff("t", olds, olds), { changes: false, replaces: [], deleteBeforeReplace: true });
    assert.deepEqual((await provider.diff("t", olds, { ...olds, partitions: 4 })).replaces, []);
    assert.equal((await provider.diff("t", olds, { ...olds, partitions: 4 })).changes, true);
    assert.deepEqual((await provider.diff("t", olds, { ...olds, partitions: 2 })).replaces, ["partitions"]);
    assert.deepEqual((await provider.diff("t", olds, { ...olds, replicationFactor: 2 })).replaces, [
      "replicationFactor",
    ]);
    // A re-created broker: an update that ensures the topic, never delete-then-create (which races the deletion).
    assert.deepEqual(await provider.diff("t", olds, { ...olds, clusterToken: "b" }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
    assert.equal((await provider.diff("t", olds, { ...olds, configs: { "retention.ms": "1" } })).changes, true);
  });

  it("exports the outputs a client needs", async () => {
    assert.equal(await outputValue(program.bootstrapServers), topology.outputs.bootstrapServers.value);
    assert.equal(await outputValue(program.internalBootstrapServers), "kafka:9093,kafka-2:9093");
    assert.equal(await outputValue(program.zookeeperConnect), "zookeeper:2181");
    assert.equal(await outputValue(program.networkName), topology.network.name);
    assert.deepEqual(await outputValue(program.topics), ["topic_test", "orders"]);
    assert.deepEqual(
      Object.keys(program).sort(),
      Object.keys(topology.outputs).sort(),
      "every output of the topology, and only those",
    );
  });
});
