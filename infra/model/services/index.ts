// Every service a lab can run. Adding a service: its file in this folder (keys, rules, containers, outputs), one
// line here, its image, its tests. The order here does not matter: a service is built after those it needs.

import { broker } from "./broker.js";
import { connect } from "./connect.js";
import { kaskadeConsole } from "./console.js";
import { schemaRegistry } from "./schema-registry.js";
import { zookeeper } from "./zookeeper.js";

export const SERVICES = [zookeeper, broker, connect, schemaRegistry, kaskadeConsole] as const;
