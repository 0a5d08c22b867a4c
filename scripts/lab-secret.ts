// npm run lab:secret -- <key> [--stack dev]: stores a secret setting (outsidePassword) encrypted in this machine's
// copy of the stack file (.pulumi-state/stacks/, git-ignored). The value comes from standard input, or from a
// prompt that does not echo; it is never a command-line argument, so it stays out of shell history.

import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { argv, echo } from "zx";
import { CONFIG_KEYS, type ConfigKey } from "../infra/model/config.js";
import { LabStack, requireToolchain, stackName } from "../lib/pulumi-stack.js";
import { checkScriptArgs, runLabScript } from "../lib/lab-script.js";

const SECRET_KEYS = Object.entries(CONFIG_KEYS)
  .filter(([, spec]) => "secret" in spec && spec.secret)
  .map(([key]) => key);

async function readValue(key: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString()
      .replace(/\r?\n$/, "");
  }
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  process.stdout.write(`kafka-lab:${key} (not shown): `);
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  const value = await new Promise<string>((resolve) => rl.question("", resolve));
  rl.close();
  process.stdout.write("\n");
  return value;
}

const USAGE = `usage: npm run lab:secret -- <key> [--stack NAME], with the value on standard input or typed at the prompt; secret keys: ${SECRET_KEYS.join(", ")}`;

await runLabScript("lab:secret", async () => {
  checkScriptArgs(argv, { usage: USAGE, strings: ["stack"], positional: 1 });
  const key = String(argv._[0] ?? "");
  if (!SECRET_KEYS.includes(key)) {
    echo(USAGE);
    return 2;
  }
  const stack = stackName(argv);
  await requireToolchain();
  const value = await readValue(key);
  if (value === "") {
    echo(`kafka-lab lab:secret: no value given for ${key}; nothing was changed`);
    return 2;
  }
  const lab = await new LabStack({ stack }).open();
  await lab.setSecret(key as ConfigKey, value);
  echo(
    `kafka-lab: stored kafka-lab:${key} of stack ${stack} as a secret in ${lab.configFile}; run npm run lab:up to apply it`,
  );
  return 0;
});
