// The round-trip smoke test from INSIDE the lab: runs round-trip.ts in a throw-away client container on the lab's
// Docker network (docker run -i), or in a pod in the lab's namespace (kubectl run -i), against the INSIDE listener.
// The script reaches it bundled into one ES module that node reads from its stdin, not through a bind mount of this
// machine's project folder: the engine or the cluster may be another machine, and the client needs no esbuild binary
// for its platform.
//
//   npx tsx smoke-tests/inside.ts [--network NAME | --namespace NS [--kubeconfig F] [--kube-context C]]
//     [--internal-bootstrap host:port[,...]] [--client-image IMAGE] [--lab NAME] [--stack dev] [--topic T]
//     [--count N] [--group ID] [--timeout-ms MS] [--json] [--verbose]
//
// Exit code: the client's (round-trip.ts: 0 ok, 1 verification failed, 2 usage/config, 3 unreachable or timeout,
// 130 interrupted); 2 when docker or kubectl cannot start the client (missing CLI, image, node in the image); 3 when
// the lab network does not exist.

import { createRequire } from "node:module";
import { join } from "node:path";
import type * as Esbuild from "esbuild";
import { $, argv, chalk, updateArgv, which } from "zx";
import { EXIT, UsageError, type ExitCode } from "./errors.js";
import { INSIDE_BOOLEANS, INSIDE_STRINGS, parseBootstrap, parseInsideOptions, type InsideOptions } from "./options.js";
import { projectRoot, stackOutput, stackOutputs } from "./stack.js";
import { LAB_LABEL, LABEL_PREFIX } from "../infra/model/specs.js";

const HELP = `Usage: npx tsx smoke-tests/inside.ts [flags]

Runs smoke-tests/round-trip.ts in a client container on the lab's Docker network, or a pod in the lab's Kubernetes
namespace (listener INSIDE), bundled into one ES module (esbuild) that node reads from its stdin, so the engine or
the cluster may be another machine's:
  <bundle of round-trip.ts> | docker run --rm -i --network <network> --label org.kafka-lab.lab=<lab> <image>
    node --input-type=module - --bootstrap <internal bootstrap> --listener INSIDE ...
  <bundle> | kubectl -n <namespace> run <pod> -i -q --rm --restart=Never --image=<image> --command -- node ...

  --network NAME               lab network (else KAFKA_LAB_NETWORK, else 'pulumi stack output networkName')
  --namespace NS               the lab's namespace on Kubernetes (else KAFKA_LAB_NAMESPACE, else the stack's
                               namespace output when its target is kubernetes), with --kubeconfig FILE and
                               --kube-context NAME (else the stack's, else kubectl's own defaults)
  --internal-bootstrap H:P,... INSIDE bootstrap (else KAFKA_LAB_INTERNAL_BOOTSTRAP, else 'pulumi stack output internalBootstrapServers')
  --client-image IMAGE         image with node >= 20 (else KAFKA_LAB_CLIENT_IMAGE, else node:22-bookworm-slim)
  --lab NAME                   lab name for the container's org.kafka-lab.lab label (else KAFKA_LAB_NAME,
                               else the network's own org.kafka-lab.lab label)
  --stack NAME                 Pulumi stack to read (else KAFKA_LAB_STACK, else dev)
  --topic, --consume-topic, --count, --group, --timeout-ms, --json, --verbose   passed to round-trip.ts
  --services                   run smoke-tests/services.ts instead (Kafka Connect, the schema registry) with the
                               services' lab-network URLs: --connect-url URL, --registry-url URL, else the stack's
                               internalConnectUrl and internalSchemaRegistryUrl outputs

Exit code: the container's (0 ok, 1 verification failed, 2 usage/config, 3 unreachable/timeout, 130 interrupted).`;

updateArgv(process.argv.slice(2), { string: [...INSIDE_STRINGS], boolean: [...INSIDE_BOOLEANS] });

let say: (line: string) => void = (line) => process.stdout.write(`${line}\n`);

class LabDownError extends Error {
  override name = "LabDownError";
}

async function requireKubectl(): Promise<void> {
  if (!(await which("kubectl", { nothrow: true })))
    throw new UsageError("the kubectl CLI is not on PATH (a lab on Kubernetes runs its INSIDE client as a pod)");
}

async function requireDocker(): Promise<void> {
  if (!(await which("docker", { nothrow: true }))) throw new UsageError("the docker CLI is not on PATH");
  const info = await $({ nothrow: true, quiet: true })`docker version --format {{.Server.Os}}`;
  if (info.exitCode !== 0)
    throw new UsageError(`cannot talk to the Docker daemon: ${info.stderr.trim().split("\n").at(-1) ?? ""}`);
}

/** The network's org.kafka-lab.lab label; LabDownError when the network does not exist. */
async function networkLab(network: string): Promise<string | undefined> {
  const result = await $({
    nothrow: true,
    quiet: true,
  })`docker network inspect --format ${`{{index .Labels "${LAB_LABEL}"}}`} ${network}`;
  if (result.exitCode !== 0) {
    throw new LabDownError(
      `Docker network ${network} does not exist: is the lab up? ('docker network ls', 'pulumi stack output networkName')`,
    );
  }
  const lab = result.stdout.trim();
  return lab === "" || lab === "<no value>" ? undefined : lab;
}

/**
 * The script, with kafkajs, zx and the project modules it imports, as one ES module, made by tsx's own esbuild.
 * lib/pulumi-stack.ts stays out: smoke-tests/stack.ts loads it only to read a stack, which the container never
 * does (every value comes as a flag, and the container has no pulumi CLI).
 */
async function bundleOf(script: string): Promise<Uint8Array> {
  let esbuild: typeof Esbuild;
  try {
    esbuild = createRequire(join(projectRoot, "node_modules/tsx/package.json"))("esbuild") as typeof Esbuild;
  } catch {
    throw new UsageError("tsx's esbuild is not installed in node_modules: run 'npm ci' first");
  }
  const result = await esbuild.build({
    entryPoints: [join(projectRoot, script)],
    write: false,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    // kafkajs is CommonJS and requires node's own modules: the bundle gets a require of its own.
    banner: {
      js: 'import { createRequire as klRequire } from "node:module"; const require = klRequire(import.meta.url);',
    },
    plugins: [
      {
        name: "no-stack-reader",
        setup: (build) =>
          build.onResolve({ filter: /\/lib\/pulumi-stack\.js$/ }, (args) => ({ path: args.path, external: true })),
      },
    ],
  });
  return result.outputFiles[0]!.contents;
}

/** Where the client runs: on the lab's Docker network, or in its Kubernetes namespace. */
type Place =
  | { target: "docker"; network: string }
  | { target: "kubernetes"; namespace: string; kubeconfig?: string; kubeContext?: string };

interface Resolved {
  place: Place;
  bootstrap: string[];
  lab?: string;
  /** With --services: services.ts's URL flags on the lab network. */
  serviceUrls: string[];
}

/**
 * services.ts's flags on the lab network: the URLs of Kafka Connect and the schema registry, from the flags or the
 * stack (empty: not run), and, from the stack, the connectors and subjects it declares, which must be there.
 */
async function resolveServiceUrls(opts: InsideOptions): Promise<string[]> {
  const fromStack = async (
    output: "internalConnectUrl" | "internalSchemaRegistryUrl",
    flag: string,
    namesOutput: "connectors" | "schemaSubjects",
    namesFlag: string,
  ) => {
    const url = await stackOutput(output, opts.stack, `--${flag} URL`, { allowEmpty: true });
    if (!url) return [];
    const names = await stackOutput(namesOutput, opts.stack, `--${flag} URL`);
    return [`--${flag}`, url, ...(names.length > 0 ? [`--${namesFlag}`, names.join(",")] : [])];
  };
  return [
    ...(opts.connectUrl
      ? ["--connect-url", opts.connectUrl]
      : await fromStack("internalConnectUrl", "connect-url", "connectors", "connectors")),
    ...(opts.registryUrl
      ? ["--registry-url", opts.registryUrl]
      : await fromStack("internalSchemaRegistryUrl", "registry-url", "schemaSubjects", "subjects")),
  ];
}

/** The flags' place, else the stack's: its network, or its namespace and cluster. */
async function placeOf(opts: InsideOptions): Promise<Place> {
  if (opts.network) return { target: "docker", network: opts.network };
  const { namespace, kubeconfig, kubeContext } = opts;
  if (namespace)
    return {
      target: "kubernetes",
      namespace,
      ...(kubeconfig ? { kubeconfig } : {}),
      ...(kubeContext ? { kubeContext } : {}),
    };
  const alternative = "--network NAME (KAFKA_LAB_NETWORK) or --namespace NS (KAFKA_LAB_NAMESPACE)";
  const outputs = await stackOutputs(opts.stack, alternative);
  if (outputs.target !== "kubernetes") return { target: "docker", network: outputs.networkName };
  return {
    target: "kubernetes",
    namespace: outputs.namespace,
    kubeconfig: opts.kubeconfig ?? outputs.kubeconfig,
    kubeContext: opts.kubeContext ?? outputs.kubeContext,
  };
}

async function resolve(opts: InsideOptions): Promise<Resolved> {
  const place = await placeOf(opts);
  if (place.target === "docker") await requireDocker();
  else await requireKubectl();
  const bootstrap =
    opts.internalBootstrap ??
    parseBootstrap(
      await stackOutput(
        "internalBootstrapServers",
        opts.stack,
        "--internal-bootstrap host:port or KAFKA_LAB_INTERNAL_BOOTSTRAP",
      ),
      `stack output internalBootstrapServers of ${opts.stack}`,
    );
  // On Kubernetes the namespace is the lab's name.
  const labelled = place.target === "docker" ? await networkLab(place.network) : place.namespace;
  const lab = opts.lab ?? labelled;
  const serviceUrls = opts.services ? await resolveServiceUrls(opts) : [];
  return { place, bootstrap, ...(lab ? { lab } : {}), serviceUrls };
}

/** node reading the script from its stdin, with the script's own flags. */
function nodeCommand(opts: InsideOptions, r: Resolved): string[] {
  const script = opts.services
    ? r.serviceUrls
    : ["--bootstrap", r.bootstrap.join(","), "--listener", "INSIDE", ...opts.passThrough];
  return ["node", "--input-type=module", "-", ...script];
}

/** The command that runs the client where the lab is: `docker run` or `kubectl run`, stdin carrying the script. */
function clientCommand(opts: InsideOptions, r: Resolved): [cli: string, args: string[]] {
  const labels = [...(r.lab ? [`${LAB_LABEL}=${r.lab}`] : []), `${LABEL_PREFIX}.role=smoke-client`];
  const color = process.stdout.isTTY ? ["FORCE_COLOR=1"] : [];
  if (r.place.target === "docker") {
    const args = ["run", "--rm", "--network", r.place.network, ...labels.flatMap((l) => ["--label", l]), "-i"];
    return ["docker", [...args, ...color.flatMap((e) => ["-e", e]), opts.clientImage, ...nodeCommand(opts, r)]];
  }
  const { namespace, kubeconfig, kubeContext } = r.place;
  const cluster = [
    ...(kubeconfig ? ["--kubeconfig", kubeconfig] : []),
    ...(kubeContext ? ["--context", kubeContext] : []),
  ];
  const pod = `smoke-client-${Math.random().toString(36).slice(2, 8)}`;
  const args = [
    ...cluster,
    "-n",
    namespace,
    "run",
    pod,
    "-i",
    "-q",
    "--rm",
    "--restart=Never",
    "--pod-running-timeout=2m",
  ];
  const env = color.flatMap((e) => ["--env", e]);
  return [
    "kubectl",
    [
      ...args,
      `--image=${opts.clientImage}`,
      `--labels=${labels.join(",")}`,
      ...env,
      "--command",
      "--",
      ...nodeCommand(opts, r),
    ],
  ];
}

/** docker's own failures (125: docker run failed, 126/127: command not runnable/found in the image). */
function explainDockerExit(code: number, image: string): string | undefined {
  if (code === 125) return `docker could not start the client container (image ${image}): see docker's message above`;
  if (code === 126 || code === 127)
    return `the client image ${image} cannot run 'node': use an image with Node.js >= 20 (--client-image)`;
  return undefined;
}

function fail(exitCode: ExitCode, kind: string, message: string, json: boolean): never {
  process.stderr.write(`${chalk.red("error:")} ${message}\n`);
  if (json)
    process.stdout.write(
      `${JSON.stringify({ ok: false, exitCode, listener: "INSIDE", error: { kind, exitCode, message } })}\n`,
    );
  process.exit(exitCode);
}

async function main(): Promise<never> {
  const json = argv.json === true;
  let opts: InsideOptions;
  let resolved: Resolved;
  let bundle: Uint8Array;
  try {
    opts = parseInsideOptions(argv, process.env);
    if (opts.help) {
      process.stdout.write(`${HELP}\n`);
      process.exit(EXIT.ok);
    }
    if (opts.json) say = (line) => process.stderr.write(`${line}\n`);
    resolved = await resolve(opts);
    bundle = await bundleOf(opts.services ? "smoke-tests/services.ts" : "smoke-tests/round-trip.ts");
  } catch (error) {
    if (error instanceof UsageError) fail(EXIT.usage, "usage", `${error.message} (see --help)`, json);
    if (error instanceof LabDownError) fail(EXIT.unreachable, "network-missing", error.message, json);
    throw error;
  }
  if (opts.services && resolved.serviceUrls.length === 0) {
    say("SKIPPED: the lab runs neither Kafka Connect nor a schema registry");
    process.exit(EXIT.ok);
  }
  const { place } = resolved;
  const where =
    place.target === "docker" ? `network ${chalk.bold(place.network)}` : `namespace ${chalk.bold(place.namespace)}`;
  say(
    `inside smoke test: image ${chalk.bold(opts.clientImage)}, ${where}, ` +
      `bootstrap ${resolved.bootstrap.join(",")}${resolved.lab ? `, lab ${resolved.lab}` : ""}`,
  );
  const [cli, args] = clientCommand(opts, resolved);
  const run = $({ nothrow: true, stdio: ["pipe", "inherit", "inherit"] })`${cli} ${args}`;
  // The CLI may end before it reads the script (an image without node): its exit code says why, not EPIPE.
  run.stdin.on("error", () => undefined);
  run.stdin.end(bundle);
  // docker run and kubectl run forward SIGINT to round-trip.ts, which disconnects and exits 130.
  process.on("SIGINT", () => void run.kill("SIGINT").catch(() => undefined));
  const result = await run;
  const code = result.exitCode ?? EXIT.interrupted;
  const docker = place.target === "docker" ? explainDockerExit(code, opts.clientImage) : undefined;
  if (docker) fail(EXIT.usage, "docker", docker, opts.json);
  process.exit(code);
}

await main();
