package org.kafkalab.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kafka-lab's own small stand-in for the Confluent Schema Registry (test images
 * only). It serves the part of the REST API that labs and clients use (subjects,
 * versions, schemas by id, compatibility checks, config, mode) and keeps its
 * state in a compacted Kafka topic (default {@code _schemas}) in the record
 * format of Confluent's KafkaStore, so the topic can be read back at start and
 * is laid out as Confluent's is. Avro schemas are parsed, canonicalised and
 * checked with Avro's own {@link SchemaCompatibility}; JSON and PROTOBUF
 * schemas are stored (JSON must parse as JSON) but only checked for identity.
 * Single instance: no leader election.
 *
 * <p>Configuration: a Confluent-style properties file (argument 1), the names
 * of schema-registry.properties: listeners, host.name,
 * kafkastore.bootstrap.servers, kafkastore.topic,
 * kafkastore.topic.replication.factor, kafkastore.init.timeout.ms,
 * schema.compatibility.level, and kafkastore.&lt;client config&gt; passed to the
 * Kafka clients without the prefix (security.protocol, sasl.*, ssl.*).
 */
public final class SchemaRegistry {
  static final Logger LOG = LoggerFactory.getLogger("org.kafkalab.registry");
  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNodeFactory NF = JsonNodeFactory.instance;
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  static final String VERSION = "1.0";
  static final List<String> LEVELS = List.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
      "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");

  /** An error answered as {"error_code": code, "message": message}. */
  static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;
    ApiError(int code, String message) {
      super(message);
      this.code = code;
    }
    int httpStatus() {
      return code >= 1000 ? code / 100 : code;
    }
  }

  static ApiError subjectNotFound(String s) { return new ApiError(40401, "Subject '" + s + "' not found."); }
  static ApiError versionNotFound(Object v) { return new ApiError(40402, "Version " + v + " not found."); }
  static ApiError schemaNotFound(String what) { return new ApiError(40403, what); }

  // ---------------------------------------------------------------- state

  /** A schema as stored once per id. */
  record StoredSchema(int id, String type, String schema, JsonNode references) {}

  /** One version of a subject. */
  record SubjectVersion(String subject, int version, int id, boolean deleted) {}

  final Map<Integer, StoredSchema> schemasById = new HashMap<>();
  final Map<String, TreeMap<Integer, SubjectVersion>> subjects = new TreeMap<>();
  final Map<String, String> subjectLevels = new HashMap<>();
  String globalLevel; // from the topic; null = the configured default
  final String defaultLevel;
  int maxId = 0;
  long appliedOffset = -1; // offset of the last record applied
  final Object lock = new Object();

  // ---------------------------------------------------------------- kafka

  final Properties config;
  final String topic;
  final Map<String, Object> clientProps = new HashMap<>();
  KafkaProducer<String, String> producer;
  KafkaConsumer<String, String> consumer;
  volatile boolean running = true;
  Thread reader;

  SchemaRegistry(Properties config) {
    this.config = config;
    this.topic = config.getProperty("kafkastore.topic", "_schemas");
    String level = config.getProperty("schema.compatibility.level",
        config.getProperty("avro.compatibility.level", "backward")).toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      throw new IllegalArgumentException("Invalid schema.compatibility.level: " + level);
    }
    this.defaultLevel = level;
    String bootstrap = config.getProperty("kafkastore.bootstrap.servers", "").trim();
    if (bootstrap.isEmpty()) {
      throw new IllegalArgumentException("kafkastore.bootstrap.servers is required");
    }
    // Confluent accepts PROTOCOL://host:port endpoints; the clients want host:port.
    List<String> hosts = new ArrayList<>();
    for (String ep : bootstrap.split(",")) {
      ep = ep.trim();
      int i = ep.indexOf("://");
      hosts.add(i >= 0 ? ep.substring(i + 3) : ep);
    }
    clientProps.put("bootstrap.servers", String.join(",", hosts));
    Set<String> own = Set.of("bootstrap.servers", "topic", "topic.replication.factor", "timeout.ms",
        "init.timeout.ms", "connection.url", "zk.session.timeout.ms", "group.id", "update.handlers",
        "checkpoint.dir", "checkpoint.version", "write.max.retries", "write.retry.backoff.ms");
    for (String name : config.stringPropertyNames()) {
      if (name.startsWith("kafkastore.")) {
        String key = name.substring("kafkastore.".length());
        if (!own.contains(key)) {
          clientProps.put(key, config.getProperty(name));
        }
      }
    }
  }

  int intConfig(String name, int dflt) {
    String v = config.getProperty(name);
    return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
  }

  /** Creates the topic if needed, reads it to the end, starts the reader thread. */
  void start() throws Exception {
    int initTimeoutMs = intConfig("kafkastore.init.timeout.ms", 60000);
    Map<String, Object> adminProps = new HashMap<>(clientProps);
    adminProps.put("client.id", "kafka-lab-schema-registry-admin");
    adminProps.put("default.api.timeout.ms", initTimeoutMs);
    try (Admin admin = Admin.create(adminProps)) {
      Set<String> names = admin.listTopics().names().get(initTimeoutMs, TimeUnit.MILLISECONDS);
      if (!names.contains(topic)) {
        int brokers = admin.describeCluster().nodes().get(initTimeoutMs, TimeUnit.MILLISECONDS).size();
        int wanted = intConfig("kafkastore.topic.replication.factor", 3);
        short rf = (short) Math.max(1, Math.min(wanted, brokers));
        if (rf < wanted) {
          LOG.warn("Creating the schemas topic {} with replication factor {}: the cluster has only {} live broker(s)"
              + " (kafkastore.topic.replication.factor={})", topic, rf, brokers, wanted);
        }
        LOG.info("Creating schemas topic {} (1 partition, replication factor {}, cleanup.policy=compact)", topic, rf);
        try {
          admin.createTopics(List.of(new NewTopic(topic, 1, rf).configs(Map.of("cleanup.policy", "compact"))))
              .all().get(initTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      } else {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(initTimeoutMs, TimeUnit.MILLISECONDS).get(topic);
        if (d.partitions().size() != 1) {
          throw new IllegalStateException("The schemas topic " + topic + " should have exactly 1 partition but has "
              + d.partitions().size());
        }
        LOG.info("Using the existing schemas topic {}", topic);
      }
    }

    Map<String, Object> p = new HashMap<>(clientProps);
    p.put("client.id", "kafka-lab-schema-registry-producer");
    p.put("acks", "all");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    producer = new KafkaProducer<>(p);

    Map<String, Object> c = new HashMap<>(clientProps);
    c.put("client.id", "kafka-lab-schema-registry-reader");
    c.put("enable.auto.commit", "false");
    c.put("auto.offset.reset", "earliest");
    c.put("key.deserializer", StringDeserializer.class.getName());
    c.put("value.deserializer", StringDeserializer.class.getName());
    consumer = new KafkaConsumer<>(c);
    TopicPartition tp = new TopicPartition(topic, 0);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    long end = consumer.endOffsets(List.of(tp), Duration.ofMillis(initTimeoutMs)).get(tp);
    long deadline = System.currentTimeMillis() + initTimeoutMs;
    int n = 0;
    while (consumer.position(tp) < end) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("Timed out reading " + topic + " to its end offset " + end);
      }
      for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
        apply(r);
        n++;
      }
    }
    LOG.info("Read {} record(s) of {} up to offset {}: {} schema(s), {} subject(s)", n, topic, end,
        schemasById.size(), subjects.size());
    reader = new Thread(this::readLoop, "schemas-topic-reader");
    reader.setDaemon(true);
    reader.start();
  }

  void readLoop() {
    try {
      while (running) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(1000))) {
          apply(r);
        }
      }
    } catch (WakeupException e) {
      // shutting down
    } catch (Exception e) {
      LOG.error("The schemas topic reader stopped", e);
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** Applies one record of the schemas topic (Confluent's KafkaStore format). */
  void apply(ConsumerRecord<String, String> r) {
    synchronized (lock) {
      try {
        if (r.key() == null) {
          return;
        }
        JsonNode key = JSON.readTree(r.key());
        String keytype = key.path("keytype").asText("");
        JsonNode value = r.value() == null ? null : JSON.readTree(r.value());
        switch (keytype) {
          case "SCHEMA" -> {
            String subject = key.path("subject").asText();
            int version = key.path("version").asInt();
            if (value == null) { // hard delete
              TreeMap<Integer, SubjectVersion> vs = subjects.get(subject);
              if (vs != null) {
                vs.remove(version);
                if (vs.isEmpty()) {
                  subjects.remove(subject);
                }
              }
            } else {
              int id = value.path("id").asInt();
              String type = value.path("schemaType").asText("AVRO");
              JsonNode refs = value.has("references") ? value.get("references") : NF.arrayNode();
              schemasById.putIfAbsent(id, new StoredSchema(id, type, value.path("schema").asText(), refs));
              maxId = Math.max(maxId, id);
              subjects.computeIfAbsent(subject, s -> new TreeMap<>())
                  .put(version, new SubjectVersion(subject, version, id, value.path("deleted").asBoolean(false)));
            }
          }
          case "CONFIG" -> {
            JsonNode s = key.get("subject");
            String level = value == null ? null : value.path("compatibilityLevel").asText(null);
            if (s == null || s.isNull()) {
              globalLevel = level;
            } else if (level == null) {
              subjectLevels.remove(s.asText());
            } else {
              subjectLevels.put(s.asText(), level);
            }
          }
          default -> { } // NOOP, MODE, DELETE_SUBJECT, CLEAR_SUBJECT, ...: nothing to keep
        }
      } catch (IOException e) {
        LOG.warn("Skipping an unreadable record at offset {} of {}: {}", r.offset(), topic, e.toString());
      } finally {
        appliedOffset = r.offset();
        lock.notifyAll();
      }
    }
  }

  /** Writes a record and waits until the reader has applied it (read your writes). */
  void write(ObjectNode key, ObjectNode value) {
    RecordMetadata md;
    try {
      md = producer.send(new ProducerRecord<>(topic, 0, key.toString(), value == null ? null : value.toString()))
          .get(intConfig("kafkastore.timeout.ms", 500) + 10000L, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new ApiError(50001, "Error while registering the schema: writing to the Kafka store failed: " + e);
    }
    long deadline = System.currentTimeMillis() + 10000;
    synchronized (lock) {
      while (appliedOffset < md.offset()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new ApiError(50002, "Timed out waiting for the Kafka store to catch up to offset " + md.offset());
        }
        try {
          lock.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new ApiError(50001, "interrupted");
        }
      }
    }
  }

  static ObjectNode schemaKey(String subject, int version) {
    ObjectNode k = NF.objectNode();
    k.put("keytype", "SCHEMA");
    k.put("subject", subject);
    k.put("version", version);
    k.put("magic", 1);
    return k;
  }

  static ObjectNode configKey(String subject) {
    ObjectNode k = NF.objectNode();
    k.put("keytype", "CONFIG");
    if (subject == null) {
      k.set("subject", NullNode.getInstance());
    } else {
      k.put("subject", subject);
    }
    k.put("magic", 0);
    return k;
  }

  void writeVersion(SubjectVersion v, StoredSchema s) {
    ObjectNode val = NF.objectNode();
    val.put("subject", v.subject());
    val.put("version", v.version());
    val.put("id", v.id());
    val.put("schema", s.schema());
    val.put("deleted", v.deleted());
    if (!"AVRO".equals(s.type())) {
      val.put("schemaType", s.type());
    }
    if (s.references() != null && s.references().size() > 0) {
      val.set("references", s.references());
    }
    write(schemaKey(v.subject(), v.version()), val);
  }

  // ---------------------------------------------------------------- schemas

  /** A schema as posted: type, canonical text, references, parsed Avro schema (or null). */
  record Candidate(String type, String canonical, JsonNode references, Schema avro) {}

  Candidate parseCandidate(JsonNode body) {
    if (body == null || !body.isObject() || !body.hasNonNull("schema")) {
      throw new ApiError(42201, "Invalid schema: the request body must be a JSON object with a \"schema\" field");
    }
    String type = body.path("schemaType").asText("AVRO").toUpperCase(Locale.ROOT);
    String text = body.get("schema").asText();
    JsonNode refs = body.has("references") && body.get("references").isArray() ? body.get("references") : NF.arrayNode();
    switch (type) {
      case "AVRO" -> {
        Schema.Parser parser = new Schema.Parser();
        for (JsonNode ref : refs) {
          String s = ref.path("subject").asText();
          int v = ref.path("version").asInt(-1);
          SubjectVersion sv = version(s, v == -1 ? "latest" : Integer.toString(v), false);
          try {
            parser.parse(schemasById.get(sv.id()).schema());
          } catch (RuntimeException e) {
            throw new ApiError(42201, "Invalid schema: reference " + ref + ": " + e.getMessage());
          }
        }
        Schema schema;
        try {
          schema = parser.parse(text);
        } catch (RuntimeException e) {
          throw new ApiError(42201, "Invalid schema " + text + ", details: " + e.getMessage());
        }
        return new Candidate(type, schema.toString(), refs, schema);
      }
      case "JSON" -> {
        try {
          return new Candidate(type, JSON.readTree(text).toString(), refs, null);
        } catch (IOException e) {
          throw new ApiError(42201, "Invalid schema " + text + ", details: " + e.getMessage());
        }
      }
      case "PROTOBUF" -> {
        if (text.isBlank()) {
          throw new ApiError(42201, "Invalid schema: empty");
        }
        return new Candidate(type, text.strip(), refs, null);
      }
      default -> throw new ApiError(42201, "Invalid schema type " + type);
    }
  }

  static boolean same(StoredSchema s, Candidate c) {
    return s.type().equals(c.type()) && s.schema().equals(c.canonical())
        && Objects.equals(normRefs(s.references()), normRefs(c.references()));
  }

  static String normRefs(JsonNode refs) {
    return refs == null || refs.size() == 0 ? "" : refs.toString();
  }

  Schema avroOf(StoredSchema s) {
    if (!"AVRO".equals(s.type())) {
      return null;
    }
    Schema.Parser parser = new Schema.Parser();
    for (JsonNode ref : s.references()) {
      TreeMap<Integer, SubjectVersion> vs = subjects.get(ref.path("subject").asText());
      if (vs != null) {
        SubjectVersion sv = vs.get(ref.path("version").asInt());
        if (sv != null) {
          parser.parse(schemasById.get(sv.id()).schema());
        }
      }
    }
    return parser.parse(s.schema());
  }

  String level(String subject) {
    String l = subject == null ? null : subjectLevels.get(subject);
    if (l == null) {
      l = globalLevel;
    }
    return l == null ? defaultLevel : l;
  }

  /**
   * Compatibility of a candidate against existing versions (oldest first) under
   * a level. Returns the messages of the first incompatibility, empty when
   * compatible. Only Avro schemas are checked; other types count as compatible.
   */
  List<String> incompatibilities(Candidate c, List<SubjectVersion> existing, String level, boolean allVersions) {
    if ("NONE".equals(level) || existing.isEmpty() || c.avro() == null) {
      return List.of();
    }
    List<SubjectVersion> against = allVersions || level.endsWith("_TRANSITIVE")
        ? existing : List.of(existing.get(existing.size() - 1));
    boolean backward = level.startsWith("BACKWARD") || level.startsWith("FULL");
    boolean forward = level.startsWith("FORWARD") || level.startsWith("FULL");
    for (int i = against.size() - 1; i >= 0; i--) {
      SubjectVersion old = against.get(i);
      StoredSchema oldStored = schemasById.get(old.id());
      Schema oldSchema = avroOf(oldStored);
      if (oldSchema == null) {
        continue;
      }
      List<String> msgs = new ArrayList<>();
      if (backward) {
        describe(SchemaCompatibility.checkReaderWriterCompatibility(c.avro(), oldSchema), msgs);
      }
      if (forward) {
        describe(SchemaCompatibility.checkReaderWriterCompatibility(oldSchema, c.avro()), msgs);
      }
      if (!msgs.isEmpty()) {
        msgs.add("{oldSchemaVersion: " + old.version() + "}");
        msgs.add("{oldSchema: '" + oldStored.schema() + "'}");
        msgs.add("{compatibility: '" + level + "'}");
        return msgs;
      }
    }
    return List.of();
  }

  static void describe(SchemaCompatibility.SchemaPairCompatibility r, List<String> out) {
    if (r.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (SchemaCompatibility.Incompatibility inc : r.getResult().getIncompatibilities()) {
      out.add("{errorType:'" + inc.getType() + "', description:'" + inc.getMessage()
          + " at path '" + inc.getLocation() + "'', additionalInfo:'" + inc.getMessage() + "'}");
    }
    if (out.isEmpty()) {
      out.add("{errorType:'" + r.getType() + "', description:'" + r.getDescription() + "'}");
    }
  }

  // ---------------------------------------------------------------- API

  List<SubjectVersion> versions(String subject, boolean withDeleted) {
    TreeMap<Integer, SubjectVersion> vs = subjects.get(subject);
    List<SubjectVersion> out = new ArrayList<>();
    if (vs != null) {
      for (SubjectVersion v : vs.values()) {
        if (withDeleted || !v.deleted()) {
          out.add(v);
        }
      }
    }
    return out;
  }

  SubjectVersion version(String subject, String v, boolean withDeleted) {
    List<SubjectVersion> vs = versions(subject, withDeleted);
    if (vs.isEmpty()) {
      throw subjectNotFound(subject);
    }
    if ("latest".equals(v) || "-1".equals(v)) {
      return vs.get(vs.size() - 1);
    }
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1) {
      throw new ApiError(42202, "The specified version '" + v + "' is not a valid version id. "
          + "Allowed values are between [1, 2^31-1] and the string \"latest\"");
    }
    for (SubjectVersion sv : vs) {
      if (sv.version() == n) {
        return sv;
      }
    }
    throw versionNotFound(n);
  }

  ObjectNode versionJson(SubjectVersion v) {
    StoredSchema s = schemasById.get(v.id());
    ObjectNode o = NF.objectNode();
    o.put("subject", v.subject());
    o.put("version", v.version());
    o.put("id", v.id());
    if (!"AVRO".equals(s.type())) {
      o.put("schemaType", s.type());
    }
    if (s.references().size() > 0) {
      o.set("references", s.references());
    }
    o.put("schema", s.schema());
    return o;
  }

  ObjectNode schemaJson(StoredSchema s) {
    ObjectNode o = NF.objectNode();
    if (!"AVRO".equals(s.type())) {
      o.put("schemaType", s.type());
    }
    if (s.references().size() > 0) {
      o.set("references", s.references());
    }
    o.put("schema", s.schema());
    return o;
  }

  StoredSchema schemaById(String idText) {
    int id;
    try {
      id = Integer.parseInt(idText);
    } catch (NumberFormatException e) {
      throw new ApiError(404, "HTTP 404 Not Found");
    }
    StoredSchema s = schemasById.get(id);
    if (s == null) {
      throw schemaNotFound("Schema " + id + " not found");
    }
    return s;
  }

  static String levelFrom(JsonNode body) {
    String l = body == null ? "" : body.path("compatibility").asText("").toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(l)) {
      throw new ApiError(42203, "Invalid compatibility level. Valid values are none, backward, forward, full, "
          + "backward_transitive, forward_transitive, and full_transitive");
    }
    return l;
  }

  ObjectNode levelJson(String key, String level) {
    ObjectNode o = NF.objectNode();
    o.put(key, level);
    return o;
  }

  /** Routes one request; returns the JSON (or text) body; throws ApiError. */
  Object handle(String method, List<String> p, Map<String, String> q, JsonNode body) {
    boolean withDeleted = "true".equals(q.get("deleted"));
    boolean permanent = "true".equals(q.get("permanent"));
    int n = p.size();
    String p0 = n > 0 ? p.get(0) : "";
    synchronized (lock) {
      if (n == 0) {
        return NF.objectNode();
      }
      switch (p0) {
        case "schemas" -> {
          if (n == 2 && "types".equals(p.get(1))) {
            return List.of("JSON", "PROTOBUF", "AVRO");
          }
          if (n >= 3 && "ids".equals(p.get(1))) {
            StoredSchema s = schemaById(p.get(2));
            if (n == 3) {
              return schemaJson(s);
            }
            if (n == 4 && "schema".equals(p.get(3))) {
              return new RawText(s.schema());
            }
            if (n == 4 && ("versions".equals(p.get(3)) || "subjects".equals(p.get(3)))) {
              ArrayNode out = NF.arrayNode();
              Set<String> seen = new TreeSet<>();
              for (TreeMap<Integer, SubjectVersion> vs : subjects.values()) {
                for (SubjectVersion v : vs.values()) {
                  if (v.id() == s.id() && (withDeleted || !v.deleted())) {
                    if ("versions".equals(p.get(3))) {
                      out.addObject().put("subject", v.subject()).put("version", v.version());
                    } else if (seen.add(v.subject())) {
                      out.add(v.subject());
                    }
                  }
                }
              }
              return out;
            }
          }
        }
        case "subjects" -> {
          if (n == 1 && "GET".equals(method)) {
            List<String> out = new ArrayList<>();
            for (String s : subjects.keySet()) {
              if (!versions(s, withDeleted).isEmpty()) {
                out.add(s);
              }
            }
            return out;
          }
          if (n < 2) {
            break;
          }
          String subject = p.get(1);
          if (n == 2) {
            if ("POST".equals(method)) { // lookup
              Candidate c = parseCandidate(body);
              List<SubjectVersion> vs = versions(subject, withDeleted);
              if (vs.isEmpty()) {
                throw subjectNotFound(subject);
              }
              for (SubjectVersion v : vs) {
                if (same(schemasById.get(v.id()), c)) {
                  return versionJson(v);
                }
              }
              throw schemaNotFound("Schema not found");
            }
            if ("DELETE".equals(method)) {
              return deleteSubject(subject, permanent);
            }
            break;
          }
          if (!"versions".equals(p.get(2))) {
            break;
          }
          if (n == 3) {
            if ("GET".equals(method)) {
              List<SubjectVersion> vs = versions(subject, withDeleted);
              if (vs.isEmpty()) {
                throw subjectNotFound(subject);
              }
              List<Integer> out = new ArrayList<>();
              vs.forEach(v -> out.add(v.version()));
              return out;
            }
            if ("POST".equals(method)) {
              return register(subject, parseCandidate(body));
            }
            break;
          }
          if (n == 4 && "GET".equals(method)) {
            return versionJson(version(subject, p.get(3), withDeleted));
          }
          if (n == 4 && "DELETE".equals(method)) {
            return deleteVersion(subject, p.get(3), permanent);
          }
          if (n == 5 && "GET".equals(method) && "schema".equals(p.get(4))) {
            return new RawText(schemasById.get(version(subject, p.get(3), withDeleted).id()).schema());
          }
          if (n == 5 && "GET".equals(method) && "referencedby".equals(p.get(4))) {
            SubjectVersion sv = version(subject, p.get(3), withDeleted);
            Set<Integer> ids = new TreeSet<>();
            for (StoredSchema s : schemasById.values()) {
              for (JsonNode ref : s.references()) {
                if (subject.equals(ref.path("subject").asText()) && ref.path("version").asInt() == sv.version()) {
                  ids.add(s.id());
                }
              }
            }
            return ids;
          }
        }
        case "compatibility" -> {
          if (n >= 4 && "subjects".equals(p.get(1)) && "versions".equals(p.get(3)) && "POST".equals(method)) {
            String subject = p.get(2);
            Candidate c = parseCandidate(body);
            String level = level(subject);
            List<SubjectVersion> against;
            if (n == 5) {
              against = List.of(version(subject, p.get(4), false));
            } else if (n == 4) {
              against = versions(subject, false);
            } else {
              break;
            }
            List<String> msgs = incompatibilities(c, against, level, n == 4);
            ObjectNode o = NF.objectNode();
            o.put("is_compatible", msgs.isEmpty());
            if ("true".equals(q.get("verbose"))) {
              ArrayNode a = o.putArray("messages");
              msgs.forEach(a::add);
            }
            return o;
          }
        }
        case "config" -> {
          if (n == 1) {
            if ("GET".equals(method)) {
              return levelJson("compatibilityLevel", level(null));
            }
            if ("PUT".equals(method)) {
              String l = levelFrom(body);
              write(configKey(null), levelJson("compatibilityLevel", l));
              return levelJson("compatibility", l);
            }
          } else if (n == 2) {
            String subject = p.get(1);
            if ("GET".equals(method)) {
              String l = subjectLevels.get(subject);
              if (l == null && "true".equals(q.get("defaultToGlobal"))) {
                l = level(null);
              }
              if (l == null) {
                throw new ApiError(40408, "Subject '" + subject + "' does not have subject-level compatibility configured");
              }
              return levelJson("compatibilityLevel", l);
            }
            if ("PUT".equals(method)) {
              String l = levelFrom(body);
              write(configKey(subject), levelJson("compatibilityLevel", l));
              return levelJson("compatibility", l);
            }
            if ("DELETE".equals(method)) {
              String l = subjectLevels.get(subject);
              if (l == null) {
                throw subjectNotFound(subject);
              }
              write(configKey(subject), null);
              return levelJson("compatibilityLevel", l);
            }
          }
        }
        case "mode" -> {
          if ("GET".equals(method) && n <= 2) {
            ObjectNode o = NF.objectNode();
            o.put("mode", "READWRITE");
            return o;
          }
        }
        case "contexts" -> {
          if ("GET".equals(method) && n == 1) {
            return List.of(".");
          }
        }
        case "v1" -> {
          if ("GET".equals(method) && n == 3 && "metadata".equals(p.get(1)) && "id".equals(p.get(2))) {
            ObjectNode o = NF.objectNode();
            o.putObject("scope").put("path", "[]");
            return o;
          }
        }
        default -> { }
      }
    }
    throw new ApiError(404, "HTTP 404 Not Found");
  }

  ObjectNode register(String subject, Candidate c) {
    List<SubjectVersion> existing = versions(subject, false);
    for (SubjectVersion v : existing) {
      if (same(schemasById.get(v.id()), c)) {
        ObjectNode o = NF.objectNode();
        o.put("id", v.id());
        return o;
      }
    }
    List<String> msgs = incompatibilities(c, existing, level(subject), false);
    if (!msgs.isEmpty()) {
      throw new ApiError(409, "Schema being registered is incompatible with an earlier schema for subject \""
          + subject + "\", details: " + msgs);
    }
    StoredSchema stored = null;
    for (StoredSchema s : schemasById.values()) {
      if (same(s, c)) {
        stored = s;
        break;
      }
    }
    if (stored == null) {
      stored = new StoredSchema(maxId + 1, c.type(), c.canonical(), c.references());
    }
    TreeMap<Integer, SubjectVersion> all = subjects.get(subject);
    int version = all == null || all.isEmpty() ? 1 : all.lastKey() + 1;
    writeVersion(new SubjectVersion(subject, version, stored.id(), false), stored);
    LOG.info("Registered schema id {} as version {} of subject {}", stored.id(), version, subject);
    ObjectNode o = NF.objectNode();
    o.put("id", stored.id());
    return o;
  }

  List<Integer> deleteSubject(String subject, boolean permanent) {
    List<SubjectVersion> all = versions(subject, true);
    if (all.isEmpty()) {
      throw subjectNotFound(subject);
    }
    List<Integer> out = new ArrayList<>();
    if (permanent) {
      for (SubjectVersion v : all) {
        if (!v.deleted()) {
          throw new ApiError(40405, "Subject '" + subject + "' was not deleted first before being deleted permanently");
        }
      }
      for (SubjectVersion v : all) {
        write(schemaKey(subject, v.version()), null);
        out.add(v.version());
      }
      return out;
    }
    List<SubjectVersion> live = versions(subject, false);
    if (live.isEmpty()) {
      throw new ApiError(40404, "Subject '" + subject + "' was soft deleted. Set permanent=true to delete permanently");
    }
    for (SubjectVersion v : live) {
      writeVersion(new SubjectVersion(subject, v.version(), v.id(), true), schemasById.get(v.id()));
      out.add(v.version());
    }
    return out;
  }

  int deleteVersion(String subject, String v, boolean permanent) {
    SubjectVersion sv = version(subject, v, permanent);
    if (permanent) {
      if (!sv.deleted()) {
        throw new ApiError(40407, "Subject '" + subject + "' Version " + sv.version()
            + " was not deleted first before being permanently deleted");
      }
      write(schemaKey(subject, sv.version()), null);
    } else {
      writeVersion(new SubjectVersion(subject, sv.version(), sv.id(), true), schemasById.get(sv.id()));
    }
    return sv.version();
  }

  /** A plain-text answer (the /schema endpoints return the schema itself). */
  record RawText(String text) {}

  // ---------------------------------------------------------------- HTTP

  void serve(HttpExchange ex) throws IOException {
    long t0 = System.nanoTime();
    int status = 500;
    byte[] out;
    String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
    URI uri = ex.getRequestURI();
    try {
      List<String> parts = new ArrayList<>();
      for (String seg : uri.getRawPath().split("/")) {
        if (!seg.isEmpty()) {
          parts.add(URLDecoder.decode(seg.replace("+", "%2B"), StandardCharsets.UTF_8));
        }
      }
      Map<String, String> q = new LinkedHashMap<>();
      if (uri.getRawQuery() != null) {
        for (String kv : uri.getRawQuery().split("&")) {
          int i = kv.indexOf('=');
          String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
          q.put(k, i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
        }
      }
      JsonNode body = null;
      if ("POST".equals(method) || "PUT".equals(method)) {
        try (InputStream in = ex.getRequestBody()) {
          byte[] b = in.readAllBytes();
          if (b.length > 0) {
            try {
              body = JSON.readTree(b);
            } catch (IOException e) {
              throw new ApiError(400, "Invalid JSON in the request body: " + e.getMessage());
            }
          }
        }
      }
      Object result = handle(method, parts, q, body);
      status = 200;
      if (result instanceof RawText t) {
        out = t.text().getBytes(StandardCharsets.UTF_8);
      } else {
        out = JSON.writeValueAsBytes(result);
      }
    } catch (ApiError e) {
      status = e.httpStatus();
      ObjectNode o = NF.objectNode();
      o.put("error_code", e.code);
      o.put("message", e.getMessage());
      out = o.toString().getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      LOG.error("Internal error on {} {}", method, uri, e);
      status = 500;
      ObjectNode o = NF.objectNode();
      o.put("error_code", 50001);
      o.put("message", "Internal Server Error: " + e);
      out = o.toString().getBytes(StandardCharsets.UTF_8);
    }
    ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    boolean head = "HEAD".equals(method);
    ex.sendResponseHeaders(status, head ? -1 : out.length);
    if (!head) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(out);
      }
    }
    ex.close();
    LOG.info("{} - \"{} {}\" {} {} ({} ms)", ex.getRemoteAddress().getAddress().getHostAddress(), method, uri,
        status, out.length, (System.nanoTime() - t0) / 1_000_000);
  }

  // ---------------------------------------------------------------- main

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: SchemaRegistry schema-registry.properties");
      System.exit(2);
    }
    Properties config = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.ISO_8859_1)) {
      config.load(r);
    }
    String listener = config.getProperty("listeners", "http://0.0.0.0:8081").split(",")[0].trim();
    if (!listener.startsWith("http://")) {
      throw new IllegalArgumentException("Only an http:// listener is supported (listeners=" + listener + ")");
    }
    URI l = URI.create(listener);
    String host = l.getHost() == null || l.getHost().isEmpty() ? "0.0.0.0" : l.getHost();
    int port = l.getPort() < 0 ? 8081 : l.getPort();

    LOG.info("kafka-lab schema registry {} (a stand-in for the Confluent Schema Registry API; test images only)",
        VERSION);
    LOG.info("host.name={} listeners={} kafkastore.topic={} kafkastore.bootstrap.servers={} default compatibility={}",
        config.getProperty("host.name"), listener, config.getProperty("kafkastore.topic", "_schemas"),
        config.getProperty("kafkastore.bootstrap.servers"),
        config.getProperty("schema.compatibility.level", "backward"));
    SchemaRegistry sr = new SchemaRegistry(config);
    sr.start();

    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    server.createContext("/", ex -> {
      try {
        sr.serve(ex);
      } catch (IOException | RuntimeException e) {
        LOG.warn("Request failed: {}", e.toString());
        ex.close();
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    LOG.info("Server started, listening for requests on {}:{}", host, port);

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Shutting down");
      server.stop(0);
      sr.running = false;
      sr.consumer.wakeup();
      sr.producer.close(Duration.ofSeconds(2));
      try {
        sr.reader.join(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LOG.info("Shut down completed");
    }, "shutdown"));
  }
}
