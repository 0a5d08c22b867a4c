// Pulumi dynamic providers for the setup steps that speak HTTP: Kafka Connect connectors (Connect's REST API) and
// schemas (the Confluent Schema Registry REST API), both through the ports the lab publishes on the machine that
// runs pulumi. Plain CommonJS with nothing at module level but functions and require(), because Pulumi serialises
// the providers with their closures (see kafka-providers.cjs).
// @ts-check
"use strict";

/** @typedef {import("./provider-inputs.cjs").ConnectorInputs} ConnectorInputs */
/** @typedef {import("./provider-inputs.cjs").SchemaInputs} SchemaInputs */
/** @typedef {{ status: number, body: unknown }} Answer An HTTP answer: status and body (parsed when it is JSON). */
/** @typedef {{ id?: number, state: string, worker_id: string, trace?: string }} TaskState */
/** @typedef {{ connector: TaskState, tasks: TaskState[] }} ConnectorStatus */
/** @typedef {{ error_count: number, configs?: Array<{ value: { name: string, errors?: string[] } }> }} Validation */

const http = require("node:http");

/**
 * One request with a JSON body; resolves with the status and the parsed body; rejects when nothing answers.
 * @param {string} method
 * @param {string} url
 * @param {unknown} [body]
 * @returns {Promise<Answer>}
 */
function httpJson(method, url, body, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers = {
      Accept: "application/json",
      ...(payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {}),
    };
    const req = http.request(
      {
        hostname: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers,
        timeout: timeoutMs,
      },
      (res) => {
        /** @type {Buffer[]} */
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          let parsed = text;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode || 0, body: parsed });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on("error", (error) => reject(new Error(`cannot reach ${target.origin}: ${error.message}`)));
    if (payload) req.write(payload);
    req.end();
  });
}

/**
 * The message an error answer carries (Connect and the registry both answer {error_code, message}).
 * @param {Answer} answer
 */
function messageOf(answer) {
  const body = answer.body;
  const message = body && typeof body === "object" && "message" in body ? body.message : undefined;
  const text = message ? message : typeof body === "string" ? body : JSON.stringify(body);
  return `HTTP ${answer.status}: ${String(text).trim()}`;
}

/**
 * @param {Record<string, unknown>} a
 * @param {Record<string, unknown>} b
 */
function sameJson(a, b) {
  const sorted = (/** @type {Record<string, unknown>} */ o) =>
    JSON.stringify(
      Object.keys(o || {})
        .sort()
        .map((k) => [k, o[k]]),
    );
  return sorted(a) === sorted(b);
}

/**
 * @param {number} ms
 */
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------- connectors

/**
 * A task's or connector's trace, summarised: its first line and every "Caused by" line.
 * @param {string | undefined} trace
 */
function summariseTrace(trace) {
  const lines = String(trace || "")
    .split("\n")
    .map((l) => l.trim());
  const causes = lines.filter((l) => l.startsWith("Caused by:"));
  return [lines[0], ...causes].filter(Boolean).slice(0, 4).join(" | ");
}

/**
 * Connect's own validation of the config; refuses with every error it names, or when the class is unknown.
 * @param {ConnectorInputs} inputs
 * @param {Record<string, string>} config
 */
async function validateConnector(inputs, config) {
  const answer = await httpJson(
    "PUT",
    `${inputs.url}/connector-plugins/${encodeURIComponent(inputs.className)}/config/validate`,
    config,
  );
  if (answer.status >= 400) {
    const message = messageOf(answer).replace(
      /, available connectors are: .*/s,
      " (GET /connector-plugins lists the classes this worker has)",
    );
    throw new Error(
      `Connect refused connector ${inputs.name} of kafka-lab:connectors, class ${inputs.className}: ${message}`,
    );
  }
  const validation = /** @type {Validation} */ (answer.body);
  const errors = (validation.configs || []).flatMap((c) => (c.value.errors || []).map((e) => `${c.value.name}: ${e}`));
  if (validation.error_count > 0) {
    throw new Error(
      `Connect refused the config of connector ${inputs.name} (kafka-lab:connectors): ${errors.join("; ")}`,
    );
  }
}

const RUNNING_WITHIN_MS = 90000;

/**
 * Waits until the connector and every task are RUNNING; a FAILED one fails at once with its trace summarised.
 * @param {ConnectorInputs} inputs
 */
async function waitRunning(inputs) {
  const giveUpAt = Date.now() + RUNNING_WITHIN_MS;
  let last;
  for (;;) {
    const answer = await httpJson("GET", `${inputs.url}/connectors/${encodeURIComponent(inputs.name)}/status`);
    if (answer.status === 200) {
      const { connector, tasks } = /** @type {ConnectorStatus} */ (answer.body);
      const failed = [connector, ...tasks].find((t) => t.state === "FAILED");
      if (failed) {
        const which = failed === connector ? "the connector" : `task ${failed.id}`;
        throw new Error(
          `connector ${inputs.name} (kafka-lab:connectors): ${which} FAILED on ${failed.worker_id}: ${summariseTrace(failed.trace)}`,
        );
      }
      if (connector.state === "RUNNING" && tasks.length > 0 && tasks.every((t) => t.state === "RUNNING")) return;
      last = `connector ${connector.state}, tasks [${tasks.map((t) => `${t.id} ${t.state}`).join(", ")}]`;
    } else {
      last = messageOf(answer);
    }
    if (Date.now() > giveUpAt)
      throw new Error(
        `connector ${inputs.name} (kafka-lab:connectors) not RUNNING within ${RUNNING_WITHIN_MS / 1000} s: ${last}`,
      );
    await delay(500);
  }
}

/**
 * Creates the connector or changes its config in place (PUT .../config does both), then waits until it runs.
 * @param {ConnectorInputs} inputs
 */
async function applyConnector(inputs) {
  const config = { ...inputs.config, "connector.class": inputs.className, name: inputs.name };
  await validateConnector(inputs, config);
  const answer = await httpJson("PUT", `${inputs.url}/connectors/${encodeURIComponent(inputs.name)}/config`, config);
  if (answer.status >= 400)
    throw new Error(`Connect refused connector ${inputs.name} (kafka-lab:connectors): ${messageOf(answer)}`);
  await waitRunning(inputs);
}

/**
 * @param {ConnectorInputs} props
 */
async function deleteConnector(props) {
  // A worker that is gone (removed by hand, or going with the lab) took its connector with it.
  const answer = await httpJson("DELETE", `${props.url}/connectors/${encodeURIComponent(props.name)}`).catch(
    () => undefined,
  );
  if (answer && answer.status >= 400 && answer.status !== 404) {
    throw new Error(`deleting connector ${props.name}: ${messageOf(answer)}`);
  }
}

/**
 * For `pulumi refresh`: what a GET of `path` says of the resource. Gone (404: deleted by hand, or lost with the
 * service's topics) makes the next `pulumi up` create it again; no answer (the service is down now) cannot tell, and
 * leaves it as it was.
 * @template T
 * @param {string} url
 * @param {string} id
 * @param {T} props
 */
async function readBack(url, id, props) {
  const answer = await httpJson("GET", url, undefined, 5000).catch(() => undefined);
  return answer && answer.status === 404 ? { id: "" } : { id, props };
}

/** @type {import("@pulumi/pulumi").dynamic.ResourceProvider<ConnectorInputs, ConnectorInputs>} */
const connectorProvider = {
  async create(inputs) {
    try {
      await applyConnector(inputs);
    } catch (error) {
      // Pulumi records nothing of a failed create: take the connector away too, so the worker holds no FAILED
      // connector that no stack knows of (the next pulumi up creates it afresh).
      await deleteConnector(inputs).catch(() => undefined);
      throw error;
    }
    return { id: inputs.name, outs: inputs };
  },

  async read(id, props) {
    if (!props) return { id };
    return readBack(`${props.url}/connectors/${encodeURIComponent(props.name)}`, id, props);
  },

  async diff(id, olds, news) {
    const replaces = [];
    if (olds.name !== news.name) replaces.push("name");
    if (olds.className !== news.className) replaces.push("className");
    // A changed config is an update in place; a re-created worker (clusterToken) is ensured again the same way.
    const changes =
      replaces.length > 0 ||
      !sameJson(olds.config, news.config) ||
      olds.url !== news.url ||
      olds.clusterToken !== news.clusterToken;
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async update(id, olds, news) {
    await applyConnector(news);
    return { outs: news };
  },

  async delete(id, props) {
    await deleteConnector(props);
  },
};

// ---------------------------------------------------------------- schemas

/**
 * Registers the schema (the same schema again keeps its id), then reads it back by id.
 * @param {SchemaInputs} inputs
 * @returns {Promise<number>}
 */
async function registerSchema(inputs) {
  const subject = encodeURIComponent(inputs.subject);
  const body = { schema: inputs.schema, ...(inputs.schemaType === "AVRO" ? {} : { schemaType: inputs.schemaType }) };
  const answer = await httpJson("POST", `${inputs.url}/subjects/${subject}/versions`, body);
  if (answer.status >= 400) {
    throw new Error(
      `the schema registry refused ${inputs.file} for subject ${inputs.subject} (kafka-lab:schemas): ${messageOf(answer)}`,
    );
  }
  const { id } = /** @type {{ id: number }} */ (answer.body);
  const back = await httpJson("GET", `${inputs.url}/schemas/ids/${id}`);
  if (back.status !== 200) throw new Error(`schema ${id} of ${inputs.subject} cannot be read back: ${messageOf(back)}`);
  return id;
}

/** @type {import("@pulumi/pulumi").dynamic.ResourceProvider<SchemaInputs, SchemaInputs & { schemaId: number }>} */
const schemaProvider = {
  async create(inputs) {
    const id = await registerSchema(inputs);
    return { id: inputs.subject, outs: { ...inputs, schemaId: id } };
  },

  async read(id, props) {
    if (!props) return { id };
    return readBack(`${props.url}/subjects/${encodeURIComponent(props.subject)}/versions`, id, props);
  },

  async diff(id, olds, news) {
    const replaces = olds.subject !== news.subject ? ["subject"] : [];
    const changes =
      replaces.length > 0 ||
      olds.schema !== news.schema ||
      olds.schemaType !== news.schemaType ||
      olds.url !== news.url ||
      olds.clusterToken !== news.clusterToken;
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async update(id, olds, news) {
    return { outs: { ...news, schemaId: await registerSchema(news) } };
  },

  async delete(id, props) {
    const subject = encodeURIComponent(props.subject);
    for (const query of ["", "?permanent=true"]) {
      const answer = await httpJson("DELETE", `${props.url}/subjects/${subject}${query}`).catch(() => undefined);
      if (!answer) return; // the registry is gone with the lab
      if (answer.status >= 400 && answer.status !== 404)
        throw new Error(`deleting subject ${props.subject}: ${messageOf(answer)}`);
    }
  },
};

module.exports = { connectorProvider, schemaProvider };
