// The keys of the Docker target: which engine runs the lab (a local socket, TCP with verified TLS, SSH) and what
// Docker does with its containers and images; and the rules between them. Pure.

import {
  booleanKey,
  oneOfKey,
  stringKey,
  stringListKey,
  type Fail,
  type KeyDecl,
  type KeySet,
  type ValuesOf,
} from "./keys.js";

export type RestartPolicy = "no" | "on-failure" | "always" | "unless-stopped";
export const RESTART_POLICIES: readonly RestartPolicy[] = ["no", "on-failure", "always", "unless-stopped"];

const DOCKER_HOST = /^(unix:\/\/\/\S+|tcp:\/\/[^\s/@]+:\d+|ssh:\/\/([^\s/@:]+@)?[^\s/@:]+(:\d+)?)$/;

/** PEM text, or a file (absolute, or relative to the project root) whose text is PEM: the value is the PEM. */
function pemKey(spec: { description: string; details?: string; secret?: boolean; howToSet?: string }): KeyDecl<string> {
  const key = stringKey({ default: "", ...spec });
  return {
    ...key,
    parse(text, ctx) {
      if (text === "" || text.trimStart().startsWith("-----BEGIN ")) return text;
      const pem = ctx.readFile(text);
      if (pem === undefined)
        ctx.fail("must be PEM text or a readable file holding it (absolute, or from the project root)");
      else if (!pem.trimStart().startsWith("-----BEGIN ")) ctx.fail("names a file that holds no PEM text");
      return pem ?? "";
    },
  };
}

export const SET_TLS_KEY = "npm run lab:secret -- dockerTlsKey (or pulumi config set --secret kafka-lab:dockerTlsKey)";

export const DOCKER_KEYS = {
  restartPolicy: oneOfKey<RestartPolicy>({
    default: "on-failure",
    allowed: RESTART_POLICIES,
    description:
      "Docker restart policy: on-failure (a crashed node comes back), no, always or unless-stopped (both also after a Docker restart).",
    details:
      "A broker re-created right after a hard kill exits once while ZooKeeper still holds its old session; on-failure brings it back.",
  }),
  keepImages: booleanKey({
    default: true,
    description: "Keep the images on the machine when the lab is destroyed.",
    details: "So the next `pulumi up` needs no download.",
  }),
  dockerHost: stringKey({
    default: "",
    description:
      "The Docker engine of the lab: unix:///path, tcp://host:port (TLS) or ssh://user@host[:port]; empty: the one DOCKER_HOST names (else the local socket).",
    details: "See [A lab on another machine](another-machine.md).",
    check: (text) =>
      text === "" || DOCKER_HOST.test(text)
        ? undefined
        : "must be empty, unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host[:port] (no password)",
  }),
  dockerTlsCa: pemKey({
    description: "With a tcp:// dockerHost: the CA certificate that signed the engine's, as PEM text or a file.",
  }),
  dockerTlsCert: pemKey({ description: "With a tcp:// dockerHost: this client's certificate, as PEM text or a file." }),
  dockerTlsKey: pemKey({
    secret: true,
    howToSet: SET_TLS_KEY,
    description: `With a tcp:// dockerHost: this client's key, a secret (PEM text or a file): ${SET_TLS_KEY}.`,
  }),
  dockerInsecure: booleanKey({
    default: false,
    description:
      "Let a tcp:// dockerHost speak plain HTTP: whoever reaches that port can run containers as root on that machine.",
  }),
  dockerSshOpts: stringListKey({
    default: [],
    example: '["-i", "/home/me/.ssh/lab", "-o", "UserKnownHostsFile=/home/me/.ssh/known_hosts"]',
    description:
      "With an ssh:// dockerHost: options for ssh (the engine's host key must be known: no prompt is answered).",
    build: (items) => items,
  }),
} as const satisfies KeySet;

/** TLS only and always verified on tcp://, ssh options only on ssh://; plain HTTP only when asked for. */
export function dockerRules(config: ValuesOf<typeof DOCKER_KEYS>, fail: Fail): void {
  const { dockerHost: host, dockerTlsCa: ca, dockerTlsCert: cert, dockerTlsKey: key } = config;
  const tcp = host.startsWith("tcp://");
  const given = (["dockerTlsCa", "dockerTlsCert", "dockerTlsKey"] as const).filter((k) => config[k] !== "");
  if (!tcp) {
    for (const k of given) fail(k, k === "dockerTlsKey" ? "[secret]" : "(set)", "applies to a tcp:// dockerHost only");
    if (config.dockerInsecure) fail("dockerInsecure", "true", "applies to a tcp:// dockerHost only");
  } else if (config.dockerInsecure) {
    for (const k of given) fail(k, "(set)", "cannot go with dockerInsecure: true (plain HTTP): drop one of them");
  } else if (given.length === 0) {
    fail(
      "dockerHost",
      host,
      "speaks tcp:// without TLS: set dockerTlsCa, dockerTlsCert and dockerTlsKey (the engine's CA, this client's certificate and key), or dockerInsecure: true for plain HTTP",
    );
  } else {
    if (ca === "") fail("dockerTlsCa", undefined, "is required with TLS: without it the engine could not be verified");
    if (cert === "" || key === "")
      fail(
        cert === "" ? "dockerTlsCert" : "dockerTlsKey",
        undefined,
        `is required with TLS: the Docker provider speaks it with a client certificate and key${key === "" ? ` (${SET_TLS_KEY})` : ""}`,
      );
  }
  if (!host.startsWith("ssh://") && config.dockerSshOpts.length > 0)
    fail("dockerSshOpts", config.dockerSshOpts.join(" "), "applies to an ssh:// dockerHost only");
}
