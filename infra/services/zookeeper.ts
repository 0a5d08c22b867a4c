// ZooKeeper: 1 or 3 nodes in zookeeper mode, none in kraft mode. cp-zookeeper 7.9 environment contract.

import type { LabConfig } from "../config.js";
import type { ContainerSpec, Healthcheck } from "../specs.js";
import {
  bashHealthcheck,
  heapOpts,
  memoryLimitMb,
  nodeIdentity,
  range,
  volumesOf,
  type Service,
  type ServiceContext,
} from "./service.js";

export const ZOOKEEPER_CLIENT_PORT = 2181;
export const ZOOKEEPER_PEER_PORT = 2888;
export const ZOOKEEPER_ELECTION_PORT = 3888;
export const ZOOKEEPER_DATA_DIR = "/var/lib/zookeeper/data";
export const ZOOKEEPER_LOG_DIR = "/var/lib/zookeeper/log";

/** `srvr` answers with a "Mode:" line once the node serves (whitelisted by default since ZooKeeper 3.5.3). */
function zookeeperHealthcheck(): Healthcheck {
  const probe = `exec 3<>/dev/tcp/127.0.0.1/${ZOOKEEPER_CLIENT_PORT} && printf srvr >&3 && timeout 3 grep -q '^Mode: ' <&3`;
  return bashHealthcheck(probe, { retries: 30 });
}

function zookeeperHost(config: LabConfig, id: number): string {
  return config.zookeeperNodes === 1 ? "zookeeper" : `zookeeper-${id}`;
}

function zookeeperEnv(config: LabConfig, id: number): Record<string, string> {
  const env: Record<string, string> = {
    ZOOKEEPER_CLIENT_PORT: String(ZOOKEEPER_CLIENT_PORT),
    ZOOKEEPER_TICK_TIME: "2000",
    KAFKA_HEAP_OPTS: heapOpts(config.zookeeperHeapMb),
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

function zookeeperContainer(ctx: ServiceContext, id: number): ContainerSpec {
  const { config } = ctx;
  const key = `zookeeper-${id}`;
  return {
    ...nodeIdentity(ctx, "zookeeper", key, zookeeperHost(config, id)),
    image: config.zookeeperImage,
    env: zookeeperEnv(config, id),
    ports: config.publishZookeeper
      ? [{ internal: ZOOKEEPER_CLIENT_PORT, external: config.zookeeperPort + id - 1, ip: config.bindAddress }]
      : [],
    mounts: volumesOf(ctx, key, { data: ZOOKEEPER_DATA_DIR, log: ZOOKEEPER_LOG_DIR }),
    healthcheck: zookeeperHealthcheck(),
    dependsOn: [],
    memoryMb: memoryLimitMb(config.zookeeperHeapMb),
    stopGraceSeconds: 10,
  };
}

/** ZooKeeper's connect string on the lab network, for the brokers and for the stack output. */
export function zookeeperConnectOf(nodes: ContainerSpec[]): string {
  return nodes.map((z) => `${z.hostname}:${ZOOKEEPER_CLIENT_PORT}`).join(",");
}

export const zookeeper: Service = {
  name: "zookeeper",
  enabled: (config) => config.mode === "zookeeper",
  containers: (ctx) => range(ctx.config.zookeeperNodes).map((id) => zookeeperContainer(ctx, id)),
  outputs: (_ctx, own) => ({
    zookeeperConnect: {
      value: zookeeperConnectOf(own),
      description: "ZooKeeper on the lab network; empty in kraft mode",
    },
  }),
};
