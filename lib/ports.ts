// Host ports of the labs that the tests and the benchmark start. Each suite has a range of 1000 ports and each
// lab (or check) a block of 100 in it, so that the labs of an e2e run, and a benchmark beside it, never clash,
// and a lab publishes nothing outside its block.

import type { ConfigKey } from "../infra/config.js";

export const PORT_RANGES = { e2e: 29_000, bench: 30_000 } as const;
export type PortRange = keyof typeof PORT_RANGES;
const BLOCK_SIZE = 100;
const BLOCKS_PER_RANGE = 10;

/** Where each configurable host port sits in a block: brokers from +1 (up to 9), ZooKeeper nodes from +11, ... */
const OFFSETS = {
  outsidePort: 1,
  zookeeperPort: 11,
  connectPort: 21,
  schemaRegistryPort: 31,
} as const satisfies Partial<Record<ConfigKey, number>>;
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
  if (!Number.isInteger(block) || block < 0 || block >= BLOCKS_PER_RANGE)
    throw new Error(`port block ${block} is not 0..${BLOCKS_PER_RANGE - 1}`);
  const first = PORT_RANGES[range] + BLOCK_SIZE * block;
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
