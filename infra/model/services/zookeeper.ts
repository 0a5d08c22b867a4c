// ZooKeeper: 1 or 3 nodes in zookeeper mode, none in kraft mode. cp-zookeeper 7.9 environment contract.

import { booleanKey, heapKey, imageKey, integerKey, portKey, type Fail, type KeySet } from "../keys/keys.js";
import type { ContainerSpec, Healthcheck } from "../specs.js";
import {
  CONFLUENT_PLATFORM,
  bashHealthcheck,
  heapOpts,
  memoryLimitMb,
  nodeIdentity,
  outputsOf,
  range,
  type ConfigOf,
  type Service,
  type ServiceContext,
} from "./service.js";

export const ZOOKEEPER_CLIENT_PORT = 2181;
export const ZOOKEEPER_PEER_PORT = 2888;
export const ZOOKEEPER_ELECTION_PORT = 3888;
export const ZOOKEEPER_DATA_DIR = "/var/lib/zookeeper/data";
export const ZOOKEEPER_LOG_DIR = "/var/lib/zookeeper/log";
export const ZOOKEEPER_NODE_COUNTS = [1, 3] as const;

export const zookeeperKeys = {
  zookeeperNodes: integerKey({
    default: 1,
    min: 1,
    max: 3,
    description: "ZooKeeper nodes: 1 or 3.",
    details: "2 would survive no failure.",
    check: (n) =>
      (ZOOKEEPER_NODE_COUNTS as readonly number[]).includes(n)
        ? undefined
        : "must be 1 or 3 (an ensemble of 2 survives no failure)",
  }),
  publishZookeeper: booleanKey({
    default: false,
    description: "Publish ZooKeeper's client port on the host (off: only the lab's containers reach it).",
  }),
  zookeeperPort: portKey({
    hostPorts: { conventional: 2181, span: Math.max(...ZOOKEEPER_NODE_COUNTS), blockOffset: 11 },
    description: "Host port of ZooKeeper node 1 when publishZookeeper is true; node i gets zookeeperPort + i - 1.",
  }),
  zookeeperImage: imageKey({
    default: `confluentinc/cp-zookeeper:${CONFLUENT_PLATFORM}`,
    description: "ZooKeeper image; must honour the cp-zookeeper environment contract (see docs/images.md).",
  }),
  zookeeperHeap: heapKey({ default: "128m", description: "JVM heap of each ZooKeeper node, such as 128m." }),
} as const satisfies KeySet;

/** Settings that contradict kraft mode. Pulumi hands the program every default, so "set" means "not the default". */
type ZookeeperConfig = ConfigOf<typeof zookeeperKeys>;

function zookeeperRules(config: ZookeeperConfig, fail: Fail): void {
  if (config.mode !== "kraft") return;
  if (config.zookeeperNodes !== zookeeperKeys.zookeeperNodes.default) {
    fail(
      "zookeeperNodes",
      String(config.zookeeperNodes),
      "must stay 1 (unset) in kraft mode: KRaft runs no ZooKeeper; set mode to zookeeper for an ensemble",
    );
  }
  if (config.publishZookeeper) {
    fail("publishZookeeper", "true", "must be false in kraft mode: there is no ZooKeeper to publish");
  }
}

/** `srvr` answers with a "Mode:" line once the node serves (whitelisted by default since ZooKeeper 3.5.3). */
function zookeeperHealthcheck(): Healthcheck {
  const probe = `exec 3<>/dev/tcp/127.0.0.1/${ZOOKEEPER_CLIENT_PORT} && printf srvr >&3 && timeout 3 grep -q '^Mode: ' <&3`;
  return bashHealthcheck(probe, { retries: 30 });
}

function zookeeperHost(config: ZookeeperConfig, id: number): string {
  return config.zookeeperNodes === 1 ? "zookeeper" : `zookeeper-${id}`;
}

function zookeeperEnv(config: ZookeeperConfig, id: number): Record<string, string> {
  const env: Record<string, string> = {
    ZOOKEEPER_CLIENT_PORT: String(ZOOKEEPER_CLIENT_PORT),
    ZOOKEEPER_TICK_TIME: "2000",
    KAFKA_HEAP_OPTS: heapOpts(config.zookeeperHeap),
    // The AdminServer (port 8080) is not needed by the lab; srvr, used by the healthcheck, is whitelisted by default.
    KAFKA_OPTS: "-Dzookeeper.admin.enableServer=false",
  };
  if (config.zookeeperNodes > 1) {
    env.ZOOKEEPER_SERVER_ID = String(id);
    env.ZOOKEEPER_INIT_LIMIT = "10";
    env.ZOOKEEPER_SYNC_LIMIT = "5";
    env.ZOOKEEPER_SERVERS = range(config.zookeeperNodes)
      .map((n) => `${zookeeperHost(config, n)}:${ZOOKEEPER_PEER_PORT}:${ZOOKEEPER_ELECTION_PORT}`)
      .join(";");
  }
  return env;
}

function zookeeperContainer(ctx: ServiceContext<typeof zookeeperKeys>, id: number): ContainerSpec {
  const { config } = ctx;
  const key = `zookeeper-${id}`;
  return {
    ...nodeIdentity(ctx, "zookeeper", key, zookeeperHost(config, id)),
    image: config.zookeeperImage,
    env: zookeeperEnv(config, id),
    ports: config.publishZookeeper
      ? [
          {
            internal: ZOOKEEPER_CLIENT_PORT,
            external: config.zookeeperPort + id - 1,
            ip: config.bindAddress,
            key: "zookeeperPort",
            what: "ZooKeeper's ports",
          },
        ]
      : [],
    dataDirs: [
      { name: "data", path: ZOOKEEPER_DATA_DIR },
      { name: "log", path: ZOOKEEPER_LOG_DIR },
    ],
    healthcheck: zookeeperHealthcheck(),
    dependsOn: [],
    memoryMb: memoryLimitMb(config.zookeeperHeap),
    stopGraceSeconds: 10,
  };
}

/** What the brokers read of ZooKeeper: its connect string on the lab network. */
export interface ZookeeperExports {
  connect: string;
}

const out = outputsOf<ZookeeperExports, typeof zookeeperKeys>();
const zookeeperOutputs = {
  zookeeperConnect: out.string(
    "ZooKeeper on the lab network; empty in kraft mode",
    (_ctx, built) => built?.exports.connect ?? "",
  ),
};

export const zookeeper: Service<typeof zookeeperKeys, ZookeeperExports, typeof zookeeperOutputs> = {
  name: "zookeeper",
  keys: zookeeperKeys,
  needs: [],
  outputs: zookeeperOutputs,
  enabled: (config) => config.mode === "zookeeper",
  rules: zookeeperRules,
  build(ctx) {
    const containers = range(ctx.config.zookeeperNodes).map((id) => zookeeperContainer(ctx, id));
    return {
      containers,
      setup: [],
      exports: { connect: containers.map((z) => `${z.hostname}:${ZOOKEEPER_CLIENT_PORT}`).join(",") },
    };
  },
};
