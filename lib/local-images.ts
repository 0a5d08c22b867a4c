// The local test images (test-images/build.sh) that stand in for the public defaults on machines that cannot
// pull images (CI, the e2e tests, the benchmark). Users get the public images.

import { CONFIG_KEYS, type ConfigKey, type LabMode } from "../infra/model/config.js";
import { FLAVOURS } from "../infra/model/services/schema-registry.js";
import { buildTopology, type LabIdentity, type LabTopology } from "../infra/model/topology.js";
import { configFromStackFile, rawSettings, type ConfigValue } from "./stack-files.js";

export const LOCAL_IMAGES = {
  kafkaImage: "kafka-lab-local/kafka:3.9.2",
  zookeeperImage: "kafka-lab-local/zookeeper:3.8.4",
  kraftImage: "kafka-lab-local/kafka:4.4.0",
  connectImage: "kafka-lab-local/kafka-connect:3.9.2",
  /** The real Apicurio Registry, built from its Maven jars (Confluent's are not on Maven Central): the apicurio flavour. */
  schemaRegistryImage: "kafka-lab-local/apicurio-registry:3.0.9",
  /** kaskade 5.1.0 from PyPI, with its public image's entry point. */
  consoleImage: "kafka-lab-local/kaskade:5.1.0",
} as const satisfies Partial<Record<ConfigKey, string>>;

/** Node.js client image for the INSIDE smoke test, built by test-images/node-client/build.sh from this machine's node. */
export const CLIENT_IMAGE = "kafka-lab-local/node:host";

/**
 * The settings that switch a lab of this mode to the local images (Connect's and the registry's too; the local
 * registry is Apicurio, so its flavour goes with it).
 */
export function localImageOverrides(mode: LabMode): Partial<Record<ConfigKey, string>> {
  const { kraftImage, kafkaImage, zookeeperImage, connectImage, schemaRegistryImage, consoleImage } = LOCAL_IMAGES;
  const brokers = mode === "kraft" ? { kraftImage } : { kafkaImage, zookeeperImage };
  return { ...brokers, connectImage, schemaRegistryImage, schemaRegistryFlavour: "apicurio", consoleImage };
}

/**
 * The public image each local image stands in for, as a lab with the defaults names it (the registry's: the
 * apicurio flavour's), so that a check of the defaults can tag the local images with those names.
 */
export function defaultImageStandIns(): Array<[publicImage: string, local: string]> {
  return Object.entries(LOCAL_IMAGES).map(([key, local]) => [
    key === "schemaRegistryImage" ? FLAVOURS.apicurio.image : String(CONFIG_KEYS[key as ConfigKey].default),
    local,
  ]);
}

export type Settings = Partial<Record<ConfigKey, ConfigValue>>;

/**
 * A lab from a tracked stack file on the local test images: the settings on top of the file (the images of its
 * mode, then `overrides`), and the topology the program builds from them and the `secrets` (which the settings
 * never hold: they go into the stack as secrets).
 */
export function localLab(
  trackedFile: string,
  identity: LabIdentity,
  overrides: Settings = {},
  secrets: Settings = {},
): { settings: Settings; topology: LabTopology } {
  const mode = configFromStackFile(trackedFile, rawSettings({ ...overrides, ...secrets })).mode;
  const settings = { ...localImageOverrides(mode), ...overrides };
  return {
    settings,
    topology: buildTopology(configFromStackFile(trackedFile, rawSettings({ ...settings, ...secrets })), identity),
  };
}
