// Every config key the program reads: the lab's own (keys/lab-keys.ts), each target's (keys/docker-keys.ts, ...) and
// each service's, declared beside the service.
// LabConfig is derived from them: one field per key, of the type its parser gives. Pure.

import { DOCKER_KEYS } from "./keys/docker-keys.js";
import { KUBERNETES_KEYS } from "./keys/kubernetes-keys.js";
import { LAB_KEYS } from "./keys/lab-keys.js";
import type { ValuesOf } from "./keys/keys.js";
import { SERVICES } from "./services/index.js";

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type ServiceKeys = UnionToIntersection<(typeof SERVICES)[number]["keys"]>;

/** Every config key: the lab's, each target's and each service's. */
export type AllKeys = typeof LAB_KEYS & typeof DOCKER_KEYS & typeof KUBERNETES_KEYS & ServiceKeys;
export type ConfigKey = keyof AllKeys;
/** The parsed configuration: one field per key, of the type its parser gives (a key without one cannot be here). */
export type LabConfig = ValuesOf<AllKeys>;

export const CONFIG_KEYS = Object.assign(
  {},
  LAB_KEYS,
  DOCKER_KEYS,
  KUBERNETES_KEYS,
  ...SERVICES.map((s) => s.keys),
) as AllKeys;
export const CONFIG_KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKey[];
