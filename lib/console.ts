// The console of `npm run lab:console`: kaskade in a container on the lab's Docker network (the INSIDE listener, so
// that it works the same on a remote engine), or with --outside in one on this machine's network (the OUTSIDE
// listener, logged in with the lab's SCRAM settings). On Kubernetes, a pod in the lab's namespace (kubectl run -it).
// Its settings go in a kaskade config file (an INI: [kafka], [registry]) that reaches the container through the
// engine's archive API before it starts: the password is never on a command line, in the container's env, or in `ps`.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import tar from "tar-stream";
import { LABEL_PREFIX, LAB_LABEL } from "../infra/model/specs.js";
import type { LabOutputs } from "../infra/model/topology.js";
import { api } from "./docker.js";

/** kaskade's user in its image (uid and gid 10001) and the working folder the config file goes to. */
const KASKADE_USER = 10001;
const CONFIG_DIR = "/kaskade";
const CONFIG_FILE = "kafka-lab.ini";

export interface ConsoleOptions {
  /** Consumer mode on this topic (records), else admin mode (topics, partitions, groups and their lag). */
  consumer?: string;
  /** Through OUTSIDE from this machine's network (with the lab's SCRAM login), rather than INSIDE on the lab's. */
  outside: boolean;
}

export interface Login {
  mechanism: string;
  username: string;
  password: string;
}

/** librdkafka's settings for the lab's SCRAM login on OUTSIDE: kaskade (confluent-kafka) and kcat both take them. */
export function scramLoginSettings(login: Login): Array<[string, string]> {
  return [
    ["security.protocol", "SASL_PLAINTEXT"],
    ["sasl.mechanism", login.mechanism.toUpperCase()],
    ["sasl.username", login.username],
    ["sasl.password", login.password],
  ];
}

/** The config file's text: the brokers and the login in [kafka], the registry in [registry] when it is used. */
export function consoleIni(bootstrap: string, login: Login | undefined, registryUrl: string | undefined): string {
  const lines = ["[kafka]", `bootstrap.servers = ${bootstrap}`];
  if (login) lines.push(...scramLoginSettings(login).map(([key, value]) => `${key} = ${value}`));
  if (registryUrl) lines.push("", "[registry]", `url = ${registryUrl}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Where the console connects and what kaskade is asked for: admin mode, or consumer mode on a topic from its first
 * record, its values decoded by the registry when the lab registered a schema for them (`<topic>-value`), else
 * shown as text.
 */
export function consolePlan(outputs: LabOutputs, options: ConsoleOptions) {
  const bootstrap = options.outside ? outputs.bootstrapServers : outputs.internalBootstrapServers;
  const registry = options.outside ? outputs.schemaRegistryUrl : outputs.internalSchemaRegistryUrl;
  const topic = options.consumer;
  const decoded = topic !== undefined && registry !== "" && outputs.schemaSubjects.includes(`${topic}-value`);
  const args =
    topic === undefined
      ? ["admin"]
      : ["consumer", "-t", topic, "--earliest", "-k", "string", "-v", decoded ? "registry" : "string"];
  return { bootstrap, registryUrl: decoded ? registry : undefined, args };
}

/** The config file as a tar archive the engine unpacks into the container: owned by kaskade's user, mode 600. */
async function archiveOf(text: string): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name: CONFIG_FILE, mode: 0o600, uid: KASKADE_USER, gid: KASKADE_USER }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Runs the console on the Docker engine the environment names, attached to this terminal (`docker start -ai`), and
 * removes its container afterwards, also when the terminal went away. Resolves to kaskade's exit code.
 */
export async function runDockerConsole(
  outputs: LabOutputs,
  options: ConsoleOptions,
  login: Login | undefined,
  labName: string,
): Promise<number> {
  const { bootstrap, registryUrl, args } = consolePlan(outputs, options);
  const name = `${labName}-console-${randomBytes(3).toString("hex")}`;
  const created = await api<{ Id: string }>("POST", `/containers/create?name=${encodeURIComponent(name)}`, {
    Image: outputs.consoleImage,
    Cmd: [...args, "--config-file", `${CONFIG_DIR}/${CONFIG_FILE}`],
    Tty: true,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Labels: { [LAB_LABEL]: labName, [`${LABEL_PREFIX}.role`]: "console" },
    HostConfig: { NetworkMode: options.outside ? "host" : outputs.networkName },
  });
  try {
    const ini = consoleIni(bootstrap, options.outside ? login : undefined, registryUrl);
    await api("PUT", `/containers/${created.Id}/archive?path=${encodeURIComponent(CONFIG_DIR)}`, await archiveOf(ini));
    const attached = spawnSync("docker", ["start", "-ai", created.Id], { stdio: "inherit" });
    if (attached.error) throw new Error(`docker start -ai: ${attached.error.message}`);
    return attached.status ?? 1;
  } finally {
    await api("DELETE", `/containers/${created.Id}?force=1`, undefined, [404]);
  }
}

/** On Kubernetes: a pod in the lab's namespace, INSIDE, attached to this terminal (kubectl run -it --rm). */
export function runKubernetesConsole(outputs: LabOutputs, options: ConsoleOptions): number {
  const { bootstrap, registryUrl, args } = consolePlan(outputs, { ...options, outside: false });
  const cluster = ["--kubeconfig", outputs.kubeconfig, "--context", outputs.kubeContext, "-n", outputs.namespace];
  const pod = `console-${randomBytes(3).toString("hex")}`;
  const kaskade = [...args, "-b", bootstrap, ...(registryUrl ? ["--registry", `url=${registryUrl}`] : [])];
  const run = [...cluster, "run", pod, "-it", "--rm", "--restart=Never", `--image=${outputs.consoleImage}`];
  const labels = `--labels=${LAB_LABEL}=${outputs.namespace},${LABEL_PREFIX}.role=console`;
  const attached = spawnSync("kubectl", [...run, labels, "--", ...kaskade], { stdio: "inherit" });
  if (attached.error) throw new Error(`kubectl run: ${attached.error.message}`);
  return attached.status ?? 1;
}
