// npm run lab:smoke [-- --stack dev]: the round trip from the host (OUTSIDE) and from inside the lab network (INSIDE).

import { argv } from "zx";
import { requirePulumi, stackName } from "./lib/pulumi.js";
import { runSmokeTests } from "./lib/smoke.js";

const stack = stackName(argv);
await requirePulumi();
process.exitCode = await runSmokeTests(stack);
