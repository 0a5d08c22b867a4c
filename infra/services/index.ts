// Every service a lab can run, in start order: a service's containers may depend on those of services above it.
// Adding a service: its file in this folder, one line here, its keys in config.ts and Pulumi.yaml.

import { broker } from "./broker.js";
import { connect } from "./connect.js";
import { schemaRegistry } from "./schema-registry.js";
import type { Service } from "./service.js";
import { zookeeper } from "./zookeeper.js";

export const SERVICES: readonly Service[] = [zookeeper, broker, connect, schemaRegistry];
