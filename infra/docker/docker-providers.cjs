// Pulumi dynamic providers that speak to the Docker engine through docker-engine.cjs (on the engine the inputs name or
// else the environment's): the lab's network, the wait until a container is healthy, the removal of a volume, and the
// SCRAM user, made by kafka-configs run in a broker container. The Docker provider's own network waits a fixed 2 s after each create and
// each delete, and its container `wait` polls once a second; these ask as soon as the engine can answer.
//
// Plain CommonJS with nothing at module level but functions and require(), because Pulumi serialises the providers
// with their closures (see kafka-providers.cjs).
// @ts-check
"use strict";

/** @typedef {import("./docker-inputs.cjs").NetworkInputs} NetworkInputs */
/** @typedef {import("./docker-inputs.cjs").HealthInputs} HealthInputs */
/** @typedef {import("./docker-inputs.cjs").VolumeRemovalInputs} VolumeRemovalInputs */
/** @typedef {import("./docker-inputs.cjs").ScramUserInputs} ScramUserInputs */
/** @typedef {import("./docker-engine.cjs").EngineSettings} EngineSettings */

const dockerEngine = require("./docker-engine.cjs");

/**
 * @param {EngineSettings | undefined} engine
 * @returns {EngineSettings}
 */
function engineOf(engine) {
  return engine || dockerEngine.engineFromEnv();
}

/**
 * One call to the engine, its JSON body parsed; an error status is thrown with the engine's words unless allowed.
 * @param {EngineSettings | undefined} engine
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {number[]} [allowed]
 * @returns {Promise<{ status: number, body: any }>}
 */
async function call(engine, method, path, body, allowed) {
  const { status, data } = await dockerEngine.request(engineOf(engine), method, path, body);
  const text = data.toString();
  if (status >= 400 && !(allowed || []).includes(status))
    throw new Error(`the Docker engine answered ${method} ${path} with ${status}: ${text.trim()}`);
  return { status, body: text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : text };
}

/**
 * @param {number} ms
 */
function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How long a network or volume may stay in use after its containers were removed (the engine lets go soon). */
const RELEASED_WITHIN_MS = 30000;

/**
 * DELETE path, asked again every 250 ms while the engine answers `busy` (something that is going still holds it),
 * for at most RELEASED_WITHIN_MS; an absent one (404) counts as deleted.
 * @param {EngineSettings | undefined} engine
 * @param {string} path
 * @param {number} busy
 * @param {string} what
 */
async function deleteOnceReleased(engine, path, busy, what) {
  const giveUpAt = Date.now() + RELEASED_WITHIN_MS;
  for (;;) {
    const gone = await call(engine, "DELETE", path, undefined, [busy, 404]);
    if (gone.status !== busy) return;
    if (Date.now() > giveUpAt)
      throw new Error(`${what} is still in use after ${RELEASED_WITHIN_MS / 1000} s: ${JSON.stringify(gone.body)}`);
    await pause(250);
  }
}

/** @type {import("@pulumi/pulumi").dynamic.ResourceProvider<NetworkInputs, NetworkInputs>} */
const networkProvider = {
  async create(inputs) {
    const created = await call(inputs.engine, "POST", "/networks/create", {
      Name: inputs.name,
      Driver: "bridge",
      CheckDuplicate: true,
      Labels: inputs.labels,
    });
    return { id: created.body.Id, outs: inputs };
  },

  async read(id, props) {
    // A network removed by hand is gone: an empty id makes `pulumi refresh` drop it, and the next up create it.
    const found = await call(props && props.engine, "GET", `/networks/${encodeURIComponent(id)}`, undefined, [404]);
    return found.status === 404 ? { id: "" } : { id, props };
  },

  async diff(id, olds, news) {
    const replaces = [];
    if (olds.name !== news.name) replaces.push("name");
    if (JSON.stringify(olds.labels) !== JSON.stringify(news.labels)) replaces.push("labels");
    const changes = replaces.length > 0 || JSON.stringify(olds.engine) !== JSON.stringify(news.engine);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async update(id, olds, news) {
    return { outs: news };
  },

  async delete(id, props) {
    // Its containers are deleted first (they depend on it), but the engine may hold their endpoints a moment (403).
    await deleteOnceReleased(props.engine, `/networks/${encodeURIComponent(id)}`, 403, `network ${props.name}`);
  },
};

/** How often to probe a starting container: often, and only while it starts (Docker's own probe keeps its interval). */
const ASK_EVERY_MS = 250;

/**
 * The container's state and health, and the last probe's output when it is unhealthy.
 * @param {HealthInputs} inputs
 */
async function healthOf(inputs) {
  const found = await call(
    inputs.engine,
    "GET",
    `/containers/${encodeURIComponent(inputs.container)}/json`,
    undefined,
    [404],
  );
  if (found.status === 404) return { state: "gone", health: undefined, detail: "" };
  const state = found.body.State;
  const log = (state.Health && state.Health.Log) || [];
  const last = log.length > 0 ? String(log[log.length - 1].Output || "").trim() : "";
  const health = state.Health && state.Health.Status;
  return { state: state.Status, health, detail: last, exitCode: state.ExitCode, restarts: found.body.RestartCount };
}

/**
 * The last lines of a container's log, for a container that failed.
 * @param {HealthInputs} inputs
 */
async function logTail(inputs) {
  const { data } = await dockerEngine.request(
    engineOf(inputs.engine),
    "GET",
    `/containers/${encodeURIComponent(inputs.container)}/logs?stdout=1&stderr=1&tail=15`,
  );
  return dockerEngine.demultiplex(data).trim();
}

/** How long a container may stay exited before it counts as failed (its restart policy may start it again). */
const EXITED_FOR_MS = 3000;
/**
 * How often it may restart while we wait: once is usual (a broker re-created right after a hard kill exits while
 * ZooKeeper still holds its old session), more is a crash loop.
 */
const RESTARTS_ALLOWED = 5;

/**
 * Runs the container's own healthcheck command once (exec, as Docker's probe does); true when it exits 0.
 * @param {HealthInputs} inputs
 */
async function probeOnce(inputs) {
  const { exitCode } = await dockerEngine.exec(engineOf(inputs.engine), inputs.container, inputs.probe, []);
  return exitCode === 0;
}

/**
 * Waits until the container is healthy: its own healthcheck command, run here every ASK_EVERY_MS while it starts,
 * passes (Docker would run it only every interval), or Docker already calls it healthy. A container that is gone,
 * stays exited, or whose healthcheck gave up fails with its last log lines; one still starting after
 * `timeoutSeconds` fails with its last probe.
 * @param {HealthInputs} inputs
 */
async function waitHealthy(inputs) {
  const started = Date.now();
  let exitedSince;
  let firstRestarts;
  for (;;) {
    const now = await healthOf(inputs);
    if (now.health === "healthy" || (now.state === "running" && (await probeOnce(inputs))))
      return (Date.now() - started) / 1000;
    firstRestarts = firstRestarts === undefined ? now.restarts : firstRestarts;
    exitedSince = now.state === "exited" || now.state === "dead" ? exitedSince || Date.now() : undefined;
    // Docker calls a stopped container unhealthy too: only a running one that exhausted its retries is.
    const unhealthy = now.state === "running" && now.health === "unhealthy";
    const crashLoop = now.restarts - firstRestarts > RESTARTS_ALLOWED;
    const failed =
      now.state === "gone" || unhealthy || crashLoop || (exitedSince && Date.now() - exitedSince > EXITED_FOR_MS);
    if (failed) {
      const why = unhealthy
        ? `unhealthy (last probe: ${now.detail || "no output"})`
        : crashLoop
          ? `restarting again and again (${now.restarts - firstRestarts} restarts while waiting)`
          : `${now.state} (exit code ${now.exitCode})`;
      const tail = now.state === "gone" ? "" : await logTail(inputs).catch(() => "");
      throw new Error(`container ${inputs.container} is ${why}${tail ? `; its last log lines:\n${tail}` : ""}`);
    }
    if (Date.now() - started > inputs.timeoutSeconds * 1000)
      throw new Error(
        `container ${inputs.container} is not healthy after ${inputs.timeoutSeconds} s (kafka-lab:waitTimeoutSeconds); last probe: ${now.detail || "none yet"}`,
      );
    await pause(ASK_EVERY_MS);
  }
}

/** What `pulumi refresh` found of the container: "healthy", or what it was instead ("exited (137)", "unhealthy"). */
const HEALTHY = "healthy";

/**
 * @param {HealthInputs} inputs
 * @returns {Promise<string>}
 */
async function observe(inputs) {
  const now = await healthOf(inputs);
  if (now.state === "running" && now.health !== "unhealthy") return HEALTHY;
  if (now.state === "running") return "unhealthy";
  return now.state === "gone" ? "gone" : `${now.state} (exit code ${now.exitCode})`;
}

/**
 * Exists once the container is healthy. `pulumi refresh` (lab:up runs one first) looks again: a container that is no
 * longer running and healthy (killed, stopped by hand) makes the next `pulumi up` start it and wait for it again.
 * @type {import("@pulumi/pulumi").dynamic.ResourceProvider<HealthInputs, HealthInputs & { secondsToHealthy: number, observed: string }>}
 */
const healthProvider = {
  async create(inputs) {
    const secondsToHealthy = await waitHealthy(inputs);
    return { id: inputs.container, outs: { ...inputs, secondsToHealthy, observed: HEALTHY } };
  },

  async read(id, props) {
    // Without props there is nothing to ask; a container removed by hand is the Docker provider's to re-create: its
    // new id replaces this resource.
    if (!props) return { id };
    const observed = await observe(props);
    return { id, props: { ...props, observed: observed === "gone" ? HEALTHY : observed } };
  },

  async diff(id, olds, news) {
    // Another container (re-created: a new id) must be waited for again.
    const changed = olds.containerId !== news.containerId || olds.container !== news.container;
    const updated =
      olds.timeoutSeconds !== news.timeoutSeconds ||
      JSON.stringify(olds.probe) !== JSON.stringify(news.probe) ||
      (olds.observed !== undefined && olds.observed !== HEALTHY);
    return { changes: changed || updated, replaces: changed ? ["containerId"] : [] };
  },

  async update(id, olds, news) {
    if (olds.observed === undefined || olds.observed === HEALTHY)
      return { outs: { ...news, secondsToHealthy: 0, observed: HEALTHY } };
    // Found not running (or unhealthy) by the refresh: start it (a running one is left as it is) and wait again.
    await call(news.engine, "POST", `/containers/${encodeURIComponent(news.container)}/start`, undefined, [304]);
    const secondsToHealthy = await waitHealthy(news);
    return { outs: { ...news, secondsToHealthy, observed: HEALTHY } };
  },

  async delete() {
    // Nothing exists outside the container; deleting it is enough.
  },
};

/**
 * Removes a volume when the lab is done with it (destroy, or its container removed), unless the lab keeps its
 * volumes. The Docker provider's own volume delete waits a fixed 2 s; its volumes are therefore retained on delete
 * and this resource, which their containers depend on, removes them once the containers are gone.
 * @type {import("@pulumi/pulumi").dynamic.ResourceProvider<VolumeRemovalInputs, VolumeRemovalInputs>}
 */
const volumeRemovalProvider = {
  async create(inputs) {
    return { id: inputs.name, outs: inputs };
  },

  async diff(id, olds, news) {
    const changes =
      olds.name !== news.name || olds.keep !== news.keep || JSON.stringify(olds.engine) !== JSON.stringify(news.engine);
    return { changes, replaces: olds.name !== news.name ? ["name"] : [] };
  },

  async update(id, olds, news) {
    return { outs: news };
  },

  async delete(id, props) {
    if (props.keep) return;
    // 409: a container that is going still holds it for a moment.
    await deleteOnceReleased(props.engine, `/volumes/${encodeURIComponent(props.name)}`, 409, `volume ${props.name}`);
  },
};

/**
 * Runs kafka-configs in the step's broker container against the broker's own INSIDE listener (PLAINTEXT, reachable
 * only on the lab network), on the engine the inputs name, else the one the environment names (DOCKER_HOST, ...), as
 * the Docker provider's own default does. The password travels in the exec's environment, never in its command line,
 * a log or an error.
 * @param {ScramUserInputs} inputs
 * @param {string} args
 * @param {string[]} env
 * @param {string} [before] shell commands to run first
 */
async function kafkaConfigs(inputs, args, env, before = "") {
  const script =
    before +
    'bin=$(command -v kafka-configs || echo /opt/kafka/bin/kafka-configs.sh); "$bin" --bootstrap-server "$KAFKA_LAB_INSIDE" ' +
    args;
  // The tool is a JVM in the broker's memory budget: keep its heap small.
  const toolEnv = ["KAFKA_HEAP_OPTS=-Xmx64m", "KAFKA_OPTS=", `KAFKA_LAB_INSIDE=${inputs.insideAddress}`, ...env];
  const engine = inputs.engine || dockerEngine.engineFromEnv();
  return dockerEngine.exec(engine, inputs.brokerContainer, ["bash", "-c", script], toolEnv);
}

/** The SCRAM user of the OUTSIDE listener, created in the cluster's metadata through a broker. */
/** @type {import("@pulumi/pulumi").dynamic.ResourceProvider<ScramUserInputs, ScramUserInputs>} */
const scramUserProvider = {
  async create(inputs) {
    // printf is bash's own: the credential goes from the exec's environment into a file only the tool reads, never
    // into a command line (container processes are the host's, so their argv shows in the host's `ps`).
    const { exitCode, output } = await kafkaConfigs(
      inputs,
      '--alter --add-config-file "$f" --entity-type users --entity-name "$KAFKA_LAB_USER"',
      [`KAFKA_LAB_USER=${inputs.username}`, `KAFKA_LAB_CREDENTIAL=${inputs.credential}`],
      "umask 077; f=$(mktemp); trap 'rm -f \"$f\"' EXIT; " + 'printf "%s" "$KAFKA_LAB_CREDENTIAL" > "$f"; ',
    );
    if (exitCode !== 0) {
      throw new Error(
        `creating SCRAM user ${inputs.username} in ${inputs.brokerContainer} failed (exit ${exitCode}): ` +
          output.split(inputs.password).join("[secret]").trim(),
      );
    }
    return { id: `${inputs.mechanism}:${inputs.username}`, outs: inputs };
  },

  async diff(id, olds, news) {
    const replaces = [];
    if (olds.username !== news.username) replaces.push("username");
    if (olds.mechanism !== news.mechanism) replaces.push("mechanism");
    if (olds.clusterToken !== news.clusterToken) replaces.push("clusterToken");
    // Another way to the same engine (new TLS material, ssh options) is an update, so the state holds the new one.
    const changes =
      replaces.length > 0 ||
      olds.password !== news.password ||
      olds.brokerContainer !== news.brokerContainer ||
      JSON.stringify(olds.engine) !== JSON.stringify(news.engine);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async update(id, olds, news) {
    return { outs: (await scramUserProvider.create(news)).outs };
  },

  async delete(id, props) {
    // Best effort: when the brokers are going too, their metadata goes with them.
    await kafkaConfigs(
      props,
      '--alter --delete-config "$KAFKA_LAB_MECHANISM" --entity-type users --entity-name "$KAFKA_LAB_USER"',
      [`KAFKA_LAB_MECHANISM=${props.mechanism}`, `KAFKA_LAB_USER=${props.username}`],
    ).catch(() => undefined);
  },
};

module.exports = { networkProvider, healthProvider, volumeRemovalProvider, scramUserProvider };
