// Types of kafka-providers.cjs, which is plain CommonJS so that Pulumi can serialise it: one dynamic provider
// per kind of setup step. Their inputs are typed where the resources are declared (setup-resources.ts).

import type * as pulumi from "@pulumi/pulumi";

declare const providers: {
  topicProvider: pulumi.dynamic.ResourceProvider;
  readinessProvider: pulumi.dynamic.ResourceProvider;
  scramUserProvider: pulumi.dynamic.ResourceProvider;
};
export = providers;
