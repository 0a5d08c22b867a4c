// Pulumi dynamic providers of the setup steps that speak Kafka's protocol (model/specs.ts): Kafka topics and the lab's
// readiness for consumer groups, driven by the kafkajs admin client through the OUTSIDE listener, the same on every
// target. (The SCRAM user is made by kafka-configs in a broker: each target runs it its own way.)
//
// Plain CommonJS on purpose: Pulumi serialises these objects (with their closures) into the state and runs them
// in a separate process. Module-scope `require` of a package in node_modules is captured as `require("kafkajs")`,
// which is the well-trodden path; ESM imports are not (see README, "Topics"). What the methods use is defined in
// this file, and holds no Set or Map at module level (a captured Set arrives as a plain
// object).
// @ts-check
"use strict";

/** @typedef {import("./provider-inputs.cjs").KafkaStepInputs} KafkaStepInputs */
/** @typedef {import("./provider-inputs.cjs").TopicInputs} TopicInputs */
/** @typedef {import("./provider-inputs.cjs").ReadinessInputs} ReadinessInputs */
/** @typedef {import("kafkajs").Admin} Admin */
/** @typedef {{ nodeId: number, address: string }} Broker */
/** @typedef {{ partitions: number, notServed?: undefined } | { notServed: string, partitions?: undefined }} Answer */
/** @typedef {{ broker: Broker, answer: Answer }} BrokerAnswer */
/** @typedef {Error & { type?: string, cause?: unknown }} ErrorLike */

const kafkajs = require("kafkajs");

/**
 * SASL settings for kafkajs when the OUTSIDE listener authenticates (inputs.sasl is a Pulumi secret).
 * @param {KafkaStepInputs} inputs
 * @returns {{ sasl?: import("kafkajs").SASLOptions }}
 */
function saslOf(inputs) {
  const sasl = inputs.sasl;
  if (!sasl || !sasl.mechanism) return {};
  const mechanism = /** @type {"scram-sha-256" | "scram-sha-512"} */ (sasl.mechanism);
  return { sasl: { mechanism, username: sasl.username, password: sasl.password } };
}

/**
 * An admin client of the given brokers (addresses), logged in as the OUTSIDE listener needs; `settings` add to it.
 * @param {KafkaStepInputs} inputs
 * @param {string[]} brokers
 * @param {Partial<import("kafkajs").KafkaConfig>} settings
 */
function adminOf(inputs, brokers, settings) {
  return new kafkajs.Kafka({
    clientId: "kafka-lab-topics",
    brokers,
    ...saslOf(inputs),
    connectionTimeout: 5000,
    logLevel: kafkajs.logLevel.NOTHING,
    ...settings,
  }).admin();
}

/**
 * @param {KafkaStepInputs} inputs
 */
function adminFor(inputs) {
  return adminOf(inputs, inputs.bootstrapServers.split(","), {
    requestTimeout: 30000,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5000 },
  });
}

/** @param {Record<string, string>} configs */
function configEntries(configs) {
  return Object.keys(configs || {})
    .sort()
    .map((name) => ({ name, value: String(configs[name]) }));
}

/**
 * A connection failure says which listener and which setting it concerns; other errors pass unchanged.
 * @param {ErrorLike} error
 * @param {KafkaStepInputs} inputs
 */
function explain(error, inputs) {
  const name = error && error.name;
  if (name !== "KafkaJSConnectionError" && name !== "KafkaJSNumberOfRetriesExceeded") return error;
  const explained = new Error(
    `cannot talk to the brokers through the OUTSIDE listener (${inputs.bootstrapServers}): ` +
      `${error.message}. pulumi up runs on this machine, so the advertised host (kafka-lab:outsideHost) must resolve ` +
      "and route here; check it with: pulumi config get kafka-lab:outsideHost",
  );
  explained.name = name;
  explained.cause = error;
  return explained;
}

/**
 * Runs fn with a connected admin client (the steps' own unless given) and always disconnects.
 * @template T
 * @param {KafkaStepInputs} inputs
 * @param {(admin: Admin) => Promise<T>} fn
 * @param {Admin} [admin]
 * @returns {Promise<T>}
 */
async function withAdmin(inputs, fn, admin = adminFor(inputs)) {
  try {
    await admin.connect();
    return await fn(admin);
  } catch (error) {
    throw explain(/** @type {ErrorLike} */ (error), inputs);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The type of a kafkajs error, also when a retrier wrapped it (KafkaJSNumberOfRetriesExceeded keeps it as cause).
 * @param {unknown} error
 * @returns {string | undefined}
 */
function errorType(error) {
  if (!error) return undefined;
  const { type, cause } = /** @type {ErrorLike} */ (error);
  return type || errorType(cause);
}

/**
 * What a broker answers while it does not serve a topic (yet): its metadata lacks the topic (a KRaft broker that has
 * not replayed the controller's record, a ZooKeeper-mode broker without its UpdateMetadata, a broker loading its
 * partitions after a restart, a topic being deleted), a partition without a leader, or a leader that has not taken
 * the partition over. An array, not a Set: Pulumi serialises the providers by capturing their closures, and a
 * captured Set arrives as a plain object (`Set.prototype.has called on incompatible receiver`).
 */
const NOT_SERVED = ["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE", "NOT_LEADER_FOR_PARTITION"];

/** How long every broker may take to serve a created topic (or to drop a deleted one), and how often to ask. */
const SERVED_WITHIN_MS = 60000;
const ASK_EVERY_MS = 200;

/**
 * @param {number} ms
 */
function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The live brokers, as the OUTSIDE listener advertises them.
 * @param {Admin} admin
 * @returns {Promise<Broker[]>}
 */
async function brokersOf(admin) {
  const { brokers } = await admin.describeCluster();
  return brokers
    .map(({ nodeId, host, port }) => ({ nodeId, address: `${host}:${port}` }))
    .sort((a, b) => a.nodeId - b.nodeId);
}

/**
 * Asks one broker, on its own, for the topic, as a client bootstrapping on that broker would: a client whose only
 * bootstrap address is that broker sends it the Metadata request, then asks each partition's leader (as that broker
 * names it) for the partition's offsets. Returns { partitions } when the broker knows the topic and every leader
 * answers, { notServed: <error type> } when it does not serve it (yet); any other error is a real failure.
 * @param {KafkaStepInputs} inputs
 * @param {Broker} broker
 * @param {string} name
 * @returns {Promise<Answer>}
 */
async function askBroker(inputs, broker, name) {
  const probe = adminOf(inputs, [broker.address], {
    requestTimeout: 10000,
    // No retries inside kafkajs: the caller asks again, within its own bound, and only after NOT_SERVED answers.
    retry: { retries: 0 },
  });
  try {
    await probe.connect();
    return { partitions: (await probe.fetchTopicOffsets(name)).length };
  } catch (error) {
    const type = errorType(error);
    if (type && NOT_SERVED.includes(type)) return { notServed: type };
    throw error;
  } finally {
    await probe.disconnect();
  }
}

/**
 * @param {KafkaStepInputs} inputs
 * @param {Broker[]} brokers
 * @param {string} name
 * @returns {Promise<BrokerAnswer[]>}
 */
async function askEveryBroker(inputs, brokers, name) {
  return Promise.all(brokers.map(async (broker) => ({ broker, answer: await askBroker(inputs, broker, name) })));
}

/**
 * @param {BrokerAnswer[]} answers
 */
function describeAnswers(answers) {
  return answers
    .map(
      ({ broker, answer }) =>
        `broker ${broker.nodeId} (${broker.address}): ${answer.notServed || `${answer.partitions} partition(s)`}`,
    )
    .join("; ");
}

/**
 * Waits until every broker serves the topic with at least `partitions` partitions, each with a leader that answers:
 * what the next step needs (another topic's creation, the readiness check, a client bootstrapping on any broker).
 * CreateTopics and CreatePartitions return once the controller has the change; a broker's own metadata follows a
 * moment later (in KRaft every broker, the one that forwarded the request too, replays the controller's log; in
 * ZooKeeper mode each broker waits for its UpdateMetadata). Fails after SERVED_WITHIN_MS naming the brokers that
 * still do not serve it.
 * @param {TopicInputs} inputs
 * @param {Broker[]} brokers
 * @param {number} partitions
 * @param {string} what
 * @param {BrokerAnswer[]} [firstAnswers]
 */
async function waitUntilEveryBrokerServes(inputs, brokers, partitions, what, firstAnswers) {
  await waitForBrokers(
    inputs,
    brokers,
    (answer) => answer.notServed !== undefined || answer.partitions < partitions,
    (lagging) =>
      `${what}, but after ${SERVED_WITHIN_MS / 1000} s not every broker serves topic ${inputs.name} with ` +
      `${partitions} partition(s) and their leaders: ${lagging}`,
    firstAnswers,
  );
}

/**
 * After DeleteTopics: waits until no broker serves the topic, so that a replacement is the only one brokers know.
 * @param {TopicInputs} inputs
 * @param {Broker[]} brokers
 */
async function waitUntilNoBrokerServes(inputs, brokers) {
  await waitForBrokers(
    inputs,
    brokers,
    (answer) => answer.notServed !== "UNKNOWN_TOPIC_OR_PARTITION",
    (serving) =>
      `topic ${inputs.name} was deleted, but after ${SERVED_WITHIN_MS / 1000} s brokers still know it: ${serving}`,
  );
}

/**
 * Asks every broker about the topic until no answer is `pending`, every ASK_EVERY_MS; after SERVED_WITHIN_MS fails
 * with `failure(<the pending answers, described>)`. `firstAnswers`: a round already asked, judged before asking again.
 * @param {TopicInputs} inputs
 * @param {Broker[]} brokers
 * @param {(answer: Answer) => boolean} pending
 * @param {(described: string) => string} failure
 * @param {BrokerAnswer[]} [firstAnswers]
 */
async function waitForBrokers(inputs, brokers, pending, failure, firstAnswers) {
  const giveUpAt = Date.now() + SERVED_WITHIN_MS;
  let answers = firstAnswers || (await askEveryBroker(inputs, brokers, inputs.name));
  for (;;) {
    const waitingFor = answers.filter(({ answer }) => pending(answer));
    if (waitingFor.length === 0) return;
    if (Date.now() > giveUpAt) throw new Error(failure(describeAnswers(waitingFor)));
    await pause(ASK_EVERY_MS);
    answers = await askEveryBroker(inputs, brokers, inputs.name);
  }
}

/**
 * Describes the topic (after waitUntilEveryBrokerServes: any broker answers for it).
 * @param {Admin} admin
 * @param {string} name
 */
async function describeTopic(admin, name) {
  const metadata = await admin.fetchTopicMetadata({ topics: [name] });
  const [topic] = metadata.topics;
  if (!topic) throw new Error(`the brokers' metadata has no topic ${name}`);
  const partitions = topic.partitions.length;
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 0;
  return { partitions, replicationFactor };
}

/**
 * One CreateTopics request through the controller: true when it created the topic, false when the topic exists.
 * @param {Admin} admin
 * @param {TopicInputs} inputs
 */
async function createTopicOnce(admin, inputs) {
  return admin.createTopics({
    // Not kafkajs's waitForLeaders: it asks only the broker the request went to (in KRaft any broker, whose metadata
    // may not have the topic yet) and fails at once on UNKNOWN_TOPIC_OR_PARTITION. The wait is ours, on every broker.
    waitForLeaders: false,
    timeout: 30000,
    topics: [
      {
        topic: inputs.name,
        numPartitions: inputs.partitions,
        replicationFactor: inputs.replicationFactor,
        configEntries: configEntries(inputs.configs),
      },
    ],
  });
}

/**
 * Creates the topic, or finds it, and returns once every broker serves it; true when this call created it. A topic
 * that the controller says exists (TOPIC_ALREADY_EXISTS) while no broker knows it is being deleted: ZooKeeper mode
 * drops a topic marked for deletion from every broker's metadata at once but refuses to create it again until the
 * deletion completes. Asks again until it is created, within SERVED_WITHIN_MS.
 * @param {Admin} admin
 * @param {TopicInputs} inputs
 * @param {Broker[]} brokers
 */
async function createOrFindTopic(admin, inputs, brokers) {
  const giveUpAt = Date.now() + SERVED_WITHIN_MS;
  for (;;) {
    if (await createTopicOnce(admin, inputs)) {
      await waitUntilEveryBrokerServes(inputs, brokers, inputs.partitions, `topic ${inputs.name} was created`);
      return true;
    }
    const answers = await askEveryBroker(inputs, brokers, inputs.name);
    if (!answers.every(({ answer }) => answer.notServed === "UNKNOWN_TOPIC_OR_PARTITION")) {
      await waitUntilEveryBrokerServes(inputs, brokers, 1, `topic ${inputs.name} exists`, answers);
      return false;
    }
    if (Date.now() > giveUpAt) {
      throw new Error(
        `topic ${inputs.name} cannot be created: the controller answers that it exists (TOPIC_ALREADY_EXISTS), ` +
          `yet after ${SERVED_WITHIN_MS / 1000} s no broker knows it (${describeAnswers(answers)}). A topic marked for deletion ` +
          "answers so until its deletion completes (does every broker holding one of its replicas run?)",
      );
    }
    await pause(ASK_EVERY_MS);
  }
}

/**
 * Adds partitions, then waits until every broker serves them.
 * @param {Admin} admin
 * @param {TopicInputs} inputs
 * @param {Broker[]} brokers
 */
async function addPartitions(admin, inputs, brokers) {
  await admin.createPartitions({ topicPartitions: [{ topic: inputs.name, count: inputs.partitions }] });
  await waitUntilEveryBrokerServes(inputs, brokers, inputs.partitions, `topic ${inputs.name} got more partitions`);
}

/**
 * @param {Admin} admin
 * @param {TopicInputs} inputs
 */
async function applyConfigs(admin, inputs) {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      { type: kafkajs.ConfigResourceTypes.TOPIC, name: inputs.name, configEntries: configEntries(inputs.configs) },
    ],
  });
}

/**
 * @param {Record<string, string>} a
 * @param {Record<string, string>} b
 */
function sameConfigs(a, b) {
  return JSON.stringify(configEntries(a)) === JSON.stringify(configEntries(b));
}

/**
 * Creates the topic, or adopts one that already exists with compatible settings: a persistent lab, a topic made
 * by hand, or the topics ZooKeeper (or the KRaft quorum) still holds after a broker container was re-created.
 * Returns once every broker serves it.
 * @param {Admin} admin
 * @param {TopicInputs} inputs
 */
async function ensureTopic(admin, inputs) {
  const brokers = await brokersOf(admin);
  if (await createOrFindTopic(admin, inputs, brokers)) return;
  const existing = await describeTopic(admin, inputs.name);
  if (existing.replicationFactor !== inputs.replicationFactor || existing.partitions > inputs.partitions) {
    throw new Error(
      `topic ${inputs.name} already exists with ${existing.partitions} partition(s) and replication ` +
        `${existing.replicationFactor}, which cannot become ${inputs.partitions}:${inputs.replicationFactor}; ` +
        `delete it (kafka-topics --delete) or declare it as ${inputs.name}:${existing.partitions}:${existing.replicationFactor}`,
    );
  }
  if (existing.partitions < inputs.partitions) await addPartitions(admin, inputs, brokers);
  await applyConfigs(admin, inputs);
}

/**
 * Whether the cluster holds the topic; undefined when the brokers do not answer now (a refresh while a broker is down
 * cannot tell, and leaves the topic as it was).
 * @param {TopicInputs} inputs
 * @returns {Promise<boolean | undefined>}
 */
async function topicExists(inputs) {
  const quick = adminOf(inputs, inputs.bootstrapServers.split(","), { retry: { retries: 2 } });
  const topics = await withAdmin(inputs, (admin) => admin.listTopics(), quick).catch(() => undefined);
  return topics?.includes(inputs.name);
}

/**
 * A changed SCRAM login (a new password, user or mechanism) is an update: the state must hold the login that works
 * now, or the next refresh and destroy log in with the old one and fail.
 * @param {{ sasl?: unknown }} olds
 * @param {{ sasl?: unknown }} news
 */
function credentialsChanged(olds, news) {
  return JSON.stringify(olds.sasl ?? null) !== JSON.stringify(news.sasl ?? null);
}

/** @type {import("@pulumi/pulumi").dynamic.ResourceProvider<TopicInputs, TopicInputs>} */
const topicProvider = {
  async create(inputs) {
    await withAdmin(inputs, (admin) => ensureTopic(admin, inputs));
    return { id: inputs.name, outs: inputs };
  },

  async read(id, props) {
    // A topic deleted by hand, or lost with a broker that kept its data nowhere (a pod's emptyDir), is gone: an empty
    // id makes `pulumi refresh` drop it, and the next `pulumi up` create it again.
    if (!props) return { id };
    return (await topicExists(props)) === false ? { id: "" } : { id, props };
  },

  async diff(id, olds, news) {
    const replaces = [];
    if (olds.name !== news.name) replaces.push("name");
    if (olds.replicationFactor !== news.replicationFactor) replaces.push("replicationFactor");
    if (news.partitions < olds.partitions) replaces.push("partitions");
    // A re-created broker container (clusterToken) is an update, not a replacement: the cluster may still hold
    // the topic (ZooKeeper, other KRaft voters, a volume) or may have lost it; update ensures it either way.
    // Deleting it first would race the deletion against the creation.
    const changes =
      replaces.length > 0 ||
      olds.partitions !== news.partitions ||
      olds.clusterToken !== news.clusterToken ||
      !sameConfigs(olds.configs, news.configs) ||
      olds.bootstrapServers !== news.bootstrapServers ||
      credentialsChanged(olds, news);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async update(id, olds, news) {
    await withAdmin(news, async (admin) => {
      if (olds.clusterToken !== news.clusterToken) return ensureTopic(admin, news);
      if (news.partitions > olds.partitions) await addPartitions(admin, news, await brokersOf(admin));
      if (!sameConfigs(olds.configs, news.configs)) await applyConfigs(admin, news);
    });
    return { outs: news };
  },

  async delete(id, props) {
    try {
      await withAdmin(props, async (admin) => {
        // A topic that is gone already (deleted by hand) is done: kafkajs would retry its UNKNOWN_TOPIC_OR_PARTITION
        // for some 20 s before giving up.
        if (!(await admin.listTopics()).includes(props.name)) return;
        await admin.deleteTopics({ topics: [props.name], timeout: 30000 });
        await waitUntilNoBrokerServes(props, await brokersOf(admin));
      });
    } catch (error) {
      // A topic whose broker is gone (removed by hand, or never reachable) is gone with it: do not block destroy.
      const { type, name } = /** @type {ErrorLike} */ (error || {});
      if (
        type === "UNKNOWN_TOPIC_OR_PARTITION" ||
        name === "KafkaJSConnectionError" ||
        name === "KafkaJSNonRetriableError" ||
        name === "KafkaJSNumberOfRetriesExceeded"
      ) {
        return;
      }
      throw error;
    }
  },
};

/**
 * Readiness for consumer groups. A fresh cluster creates __consumer_offsets only when the first group asks
 * for its coordinator, and answers COORDINATOR_NOT_AVAILABLE until that topic has leaders: the moment a
 * tutorial's consumer, started right after the broker, fails. Creating this resource asks for a
 * coordinator (kafkajs retries until one answers), so `pulumi up` returns when groups work.
 */
/** @type {import("@pulumi/pulumi").dynamic.ResourceProvider<ReadinessInputs, ReadinessInputs & { secondsToCoordinator: number }>} */
const readinessProvider = {
  async create(inputs) {
    const started = Date.now();
    await withAdmin(inputs, (admin) => admin.describeGroups(["kafka-lab-readiness"]));
    return { id: "consumer-groups", outs: { ...inputs, secondsToCoordinator: (Date.now() - started) / 1000 } };
  },

  async diff(id, olds, news) {
    const changed = olds.clusterToken !== news.clusterToken || olds.bootstrapServers !== news.bootstrapServers;
    return { changes: changed || credentialsChanged(olds, news), replaces: changed ? ["clusterToken"] : [] };
  },

  async update(id, olds, news) {
    return { outs: { ...news, secondsToCoordinator: olds.secondsToCoordinator } };
  },

  async delete() {
    // Nothing exists outside the brokers; destroying them is enough.
  },
};

module.exports = { topicProvider, readinessProvider };
