// Secure defaults stay default: every example stack publishes only on loopback, mounts no Docker socket and
// no host path, and keeps ZooKeeper unpublished. A change that loosens any of these fails here.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { CONFIG_KEYS } from "../../infra/model/config.js";
import { buildTopology } from "../../infra/model/topology.js";
import { projectRoot } from "../../lib/paths.js";
import { configFromStackFile } from "../../lib/stack-files.js";
import { volumesOf } from "../../infra/docker/volumes.js";

/** Every example stack file in the project (Pulumi.yaml itself is the project file). */
const STACK_FILES = readdirSync(projectRoot).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

describe("secure defaults", () => {
  it("declares loopback binding, unpublished ZooKeeper and no authentication bypass as defaults", () => {
    assert.equal(CONFIG_KEYS.bindAddress.default, "127.0.0.1");
    assert.equal(CONFIG_KEYS.publishZookeeper.default, false);
    assert.equal(CONFIG_KEYS.autoCreateTopics.default, false);
  });

  it("finds the example stack files", () => assert.ok(STACK_FILES.length >= 5, STACK_FILES.join(", ")));

  for (const file of STACK_FILES) {
    describe(file, () => {
      const topology = buildTopology(configFromStackFile(file), { project: "kafka-lab", stack: file.split(".")[1]! });

      it("publishes every port on 127.0.0.1 only", () => {
        const ports = topology.containers.flatMap((c) => c.ports);
        assert.ok(ports.length > 0);
        for (const port of ports) assert.equal(port.ip, "127.0.0.1", `${port.external} binds to ${port.ip}`);
      });

      it("publishes no ZooKeeper port", () => {
        for (const c of topology.containers.filter((c) => c.role === "zookeeper")) assert.deepEqual(c.ports, [], c.key);
      });

      it("mounts no Docker socket and no host path, only the lab's own named volumes", () => {
        const text = JSON.stringify(topology);
        assert.ok(!text.includes("docker.sock"), "docker.sock appears in the topology");
        for (const c of topology.containers) {
          for (const v of volumesOf(topology, c))
            assert.ok(v.name.startsWith(`${topology.labName}-`) && !v.name.includes("/"), `${c.key} mounts ${v.name}`);
        }
      });

      it("keeps memory bounded", () => {
        for (const c of topology.containers)
          assert.ok(c.memoryMb > 0 && c.memoryMb <= 4096, `${c.key}: ${c.memoryMb} MiB`);
      });
    });
  }
});
