// Types of rest-providers.cjs, plain CommonJS so that Pulumi can serialise it. Inputs are typed where the resources
// are declared (setup-resources.ts).

import type * as pulumi from "@pulumi/pulumi";

declare const providers: {
  connectorProvider: pulumi.dynamic.ResourceProvider;
  schemaProvider: pulumi.dynamic.ResourceProvider;
};
export = providers;
