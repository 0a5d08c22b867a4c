// The console: kaskade, a terminal UI for Kafka (topics, partitions, consumer groups and their lag; records), which
// `npm run lab:console` runs on demand in a container on the lab's network against the INSIDE listener. `pulumi up`
// makes nothing of it: the service declares its image, as a key like the other images, and hands it on as an output.

import { imageKey, type KeySet } from "../keys/keys.js";
import { outputsOf, type Service } from "./service.js";

/** kaskade's own published image, pinned (MIT; PyPI kaskade 5.1.0). */
export const KASKADE = "sauljabin/kaskade:5.1.0";

export const consoleKeys = {
  consoleImage: imageKey({
    default: KASKADE,
    description:
      "The image of `npm run lab:console`: kaskade, or one with its entry point and command line (see docs/console.md).",
  }),
} as const satisfies KeySet;

const out = outputsOf<undefined, typeof consoleKeys>();
const consoleOutputs = {
  consoleImage: out.string("the image `npm run lab:console` runs (`consoleImage`)", (ctx) => ctx.config.consoleImage),
};

export const kaskadeConsole: Service<typeof consoleKeys, undefined, typeof consoleOutputs> = {
  name: "console",
  keys: consoleKeys,
  needs: [],
  outputs: consoleOutputs,
  // Run by lab:console, never by pulumi up.
  enabled: () => false,
  build: () => ({ containers: [], setup: [], exports: undefined }),
};
