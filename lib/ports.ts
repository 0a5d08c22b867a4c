// Host ports of the labs that the tests and the benchmark start. Each suite has a range of ports and each lab (or
// check) a block of 100 in it, so that the labs of an e2e run, and a benchmark beside it, never clash, and a lab
// publishes nothing outside its block. A lab that chooses its own ports does so below these ranges (lab-plan.ts).

import type { ConfigKey } from "../infra/model/config.js";
import { hostPortKeys } from "../infra/model/lab-plan.js";

export const PORT_RANGES = { e2e: { first: 28_000, blocks: 20 }, bench: { first: 30_000, blocks: 10 } } as const;
export type PortRange = keyof typeof PORT_RANGES;
const BLOCK_SIZE = 100;

/** Where each host-port key sits in a block, as the key declares it (brokers from +1, ZooKeeper nodes from +11...). */
const OFFSETS = Object.fromEntries(hostPortKeys().map(([key, hp]) => [key, hp.blockOffset])) as Record<
  ConfigKey & ("outsidePort" | "zookeeperPort" | "connectPort" | "schemaRegistryPort"),
  number
>;
/** Ports a check may use for itself (servers of its own): the end of the block. */
const SCRATCH_OFFSET = 90;

export interface PortBlock {
  first: number;
  last: number;
  /** The lab's host-port settings for this block. */
  settings: Record<keyof typeof OFFSETS, number>;
  /** The block's n-th port for a check's own use (0..9). */
  scratch(n: number): number;
  contains(port: number): boolean;
}

export function portBlock(range: PortRange, block: number): PortBlock {
  const { first: rangeStart, blocks } = PORT_RANGES[range];
  if (!Number.isInteger(block) || block < 0 || block >= blocks)
    throw new Error(`port block ${block} is not 0..${blocks - 1}`);
  const first = rangeStart + BLOCK_SIZE * block;
  const last = first + BLOCK_SIZE - 1;
  const settings = Object.fromEntries(
    Object.entries(OFFSETS).map(([key, offset]) => [key, first + offset]),
  ) as PortBlock["settings"];
  return {
    first,
    last,
    settings,
    scratch: (n) => {
      if (n < 0 || SCRATCH_OFFSET + n > BLOCK_SIZE - 1)
        throw new Error(`scratch port ${n} is not 0..${BLOCK_SIZE - 1 - SCRATCH_OFFSET}`);
      return first + SCRATCH_OFFSET + n;
    },
    contains: (port) => port >= first && port <= last,
  };
}
