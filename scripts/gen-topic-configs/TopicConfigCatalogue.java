// Dumps Kafka's own catalogue of topic-level configs as JSON. gen.sh (beside this file) runs it with the java
// single-file launcher against the jars of one Kafka version, resolved by Maven. Nothing is typed by hand: names,
// types, defaults and validators come from org.apache.kafka.storage.internals.log.LogConfig.configKeys(), the
// ConfigDef the broker parses a topic's configs with (in 3.9 and 4.x alike), and every probe's verdict from
// LogConfig.validate(that one config), the broker's own check of the configs a CreateTopics request carries.
//
//   java -cp <kafka-storage and its dependencies> TopicConfigCatalogue.java <version> <catalogue.json> <probes.json>
//
// Each config gets a "check" that infra/topic-configs.ts applies after parsing the value as Kafka does for its type:
//   range       Range (min/max), or a validator whose description reads "[a,...,b] or c" (gzip's level);
//   oneOf       ValidString, CaseInsensitiveValidString, ValidList (each list item), or the versions that
//               MetadataVersionValidator accepts (asked of the validator itself, since its description lists more);
//   replicaList ThrottledReplicaListValidator ("*" or partition:broker pairs);
//   none        no validator.
// A validator of any other kind stops the generator: teach it (and the TypeScript check) first. The described
// ranges and enumerated versions are checked against the validator's own verdicts here; the TypeScript check is
// checked against every probe by tests/unit/topic-configs.test.ts.

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.storage.internals.log.LogConfig;

public class TopicConfigCatalogue {
    static final String GENERATOR = "scripts/gen-topic-configs/gen.sh (TopicConfigCatalogue.java); do not edit by hand";
    static final Pattern DESCRIBED_RANGE = Pattern.compile("\\[(-?\\d+),\\.\\.\\.,(-?\\d+)\\] or (-?\\d+)");

    public static void main(String[] args) throws Exception {
        if (args.length != 3) throw new IllegalArgumentException("usage: <kafka version> <catalogue.json> <probes.json>");
        String version = args[0];
        String onClasspath = kafkaClientsVersion();
        if (!version.equals(onClasspath))
            throw new IllegalStateException("asked for Kafka " + version + ", but kafka-clients on the classpath is " + onClasspath);
        Map<String, ConfigDef.ConfigKey> keys = new TreeMap<>(LogConfig.configKeys());
        Files.writeString(Path.of(args[1]), catalogue(version, keys), StandardCharsets.UTF_8);
        Files.writeString(Path.of(args[2]), probes(version, keys), StandardCharsets.UTF_8);
    }

    /** The version kafka-clients was built as (kafka/kafka-version.properties; AppInfoParser moved in 4.x). */
    static String kafkaClientsVersion() throws IOException {
        Properties props = new Properties();
        try (InputStream in = ConfigDef.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in == null) throw new IllegalStateException("kafka-clients has no kafka/kafka-version.properties");
            props.load(in);
        }
        return props.getProperty("version");
    }

    // ---- the catalogue ----

    static String catalogue(String version, Map<String, ConfigDef.ConfigKey> keys) throws Exception {
        Set<String> constants = topicConfigConstants();
        Set<String> onlyConstants = new TreeSet<>(constants);
        onlyConstants.removeAll(keys.keySet());
        StringBuilder out = new StringBuilder("{\n");
        out.append("  \"generator\": ").append(json(GENERATOR)).append(",\n");
        out.append("  \"source\": ").append(json("org.apache.kafka.storage.internals.log.LogConfig.configKeys()")).append(",\n");
        out.append("  \"kafkaVersion\": ").append(json(version)).append(",\n");
        out.append("  \"configCount\": ").append(keys.size()).append(",\n");
        out.append("  \"topicConfigConstantsNotInLogConfig\": ").append(jsonStrings(onlyConstants)).append(",\n");
        out.append("  \"configs\": [\n");
        List<String> lines = new ArrayList<>();
        for (ConfigDef.ConfigKey key : keys.values()) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("name", json(key.name));
            entry.put("type", json(key.type.name()));
            entry.put("default", defaultValue(key));
            entry.put("internal", String.valueOf(key.internalConfig));
            entry.put("inTopicConfig", String.valueOf(constants.contains(key.name)));
            entry.put("validator", key.validator == null ? "null" : json(key.validator.toString()));
            List<String> classes = new ArrayList<>();
            validatorClasses(key.validator, classes);
            entry.put("validatorClasses", jsonStrings(classes));
            entry.put("check", check(key));
            List<String> fields = new ArrayList<>();
            entry.forEach((k, v) -> fields.add(json(k) + ": " + v));
            lines.add("    {" + String.join(", ", fields) + "}");
        }
        out.append(String.join(",\n", lines)).append("\n  ]\n}\n");
        return out.toString();
    }

    /** The names TopicConfig declares (its *_CONFIG string constants), to show where the two lists part. */
    static Set<String> topicConfigConstants() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Field field : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class && field.getName().endsWith("_CONFIG"))
                names.add((String) field.get(null));
        }
        return names;
    }

    static String defaultValue(ConfigDef.ConfigKey key) {
        Object value = key.defaultValue;
        if (value == ConfigDef.NO_DEFAULT_VALUE) return json("(no default)");
        if (value == null) return "null";
        if (value instanceof Collection<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) items.add(String.valueOf(item));
            return json(String.join(",", items));
        }
        if (value instanceof Class<?> cls) return json(cls.getName());
        return json(String.valueOf(value));
    }

    static void validatorClasses(ConfigDef.Validator validator, List<String> classes) throws IllegalAccessException {
        if (validator == null) return;
        classes.add(validator.getClass().getName().replaceFirst("^org\\.apache\\.kafka\\.", "").replace('$', '.'));
        if (validator instanceof ConfigDef.CompositeValidator)
            for (Object inner : (List<?>) field(validator, "validators")) validatorClasses((ConfigDef.Validator) inner, classes);
    }

    /** What the validator allows, as JSON, read from its fields (or, for the two kinds without any, from Kafka). */
    static String check(ConfigDef.ConfigKey key) throws Exception {
        ConfigDef.Validator validator = key.validator;
        if (validator instanceof ConfigDef.CompositeValidator) {
            List<?> inner = (List<?>) field(validator, "validators");
            if (inner.size() != 1) throw new IllegalStateException(key.name + ": a composite of " + inner.size() + " validators is not handled");
            validator = (ConfigDef.Validator) inner.get(0);
        }
        String className = validator == null ? "" : validator.getClass().getName();
        if (validator == null) return "{\"kind\": \"none\"}";
        if (validator instanceof ConfigDef.Range) {
            Object min = field(validator, "min");
            Object max = field(validator, "max");
            return "{\"kind\": \"range\", \"min\": " + (min == null ? "null" : json(min.toString()))
                + ", \"max\": " + (max == null ? "null" : json(max.toString())) + ", \"or\": []}";
        }
        if (validator instanceof ConfigDef.ValidString)
            return oneOf((Collection<?>) field(validator, "validStrings"), false, null);
        if (validator instanceof ConfigDef.CaseInsensitiveValidString)
            return oneOf((Collection<?>) field(validator, "validStrings"), true, null);
        if (validator instanceof ConfigDef.ValidList) {
            Object validString = field(validator, "validString");
            Object emptyAllowed = hasField(validator, "isEmptyAllowed") ? field(validator, "isEmptyAllowed") : Boolean.TRUE;
            return oneOf((Collection<?>) field(validString, "validStrings"), false, (Boolean) emptyAllowed);
        }
        if (className.endsWith(".ThrottledReplicaListValidator")) return "{\"kind\": \"replicaList\"}";
        if (className.endsWith(".MetadataVersionValidator")) return acceptedVersions(key);
        Matcher m = DESCRIBED_RANGE.matcher(validator.toString());
        if (m.matches() && (key.type == ConfigDef.Type.INT || key.type == ConfigDef.Type.LONG)) {
            confirmDescribedRange(key, new BigInteger(m.group(1)), new BigInteger(m.group(2)), new BigInteger(m.group(3)));
            return "{\"kind\": \"range\", \"min\": " + json(m.group(1)) + ", \"max\": " + json(m.group(2))
                + ", \"or\": [" + json(m.group(3)) + "], \"fromDescription\": true}";
        }
        throw new IllegalStateException(key.name + ": validator " + className + " (" + validator + ") is not handled; "
            + "teach TopicConfigCatalogue.java and infra/topic-configs.ts");
    }

    static String oneOf(Collection<?> allowed, boolean caseInsensitive, Boolean emptyListAllowed) {
        return "{\"kind\": \"oneOf\", \"allowed\": " + jsonStrings(allowed) + ", \"caseInsensitive\": " + caseInsensitive
            + (emptyListAllowed == null ? "" : ", \"emptyListAllowed\": " + emptyListAllowed) + "}";
    }

    /** A range read from the description only: its edges must get the verdicts that the description promises. */
    static void confirmDescribedRange(ConfigDef.ConfigKey key, BigInteger min, BigInteger max, BigInteger or) {
        Map<BigInteger, Boolean> expected = new LinkedHashMap<>();
        expected.put(min.subtract(BigInteger.ONE), min.subtract(BigInteger.ONE).equals(or));
        expected.put(min, true);
        expected.put(max, true);
        expected.put(max.add(BigInteger.ONE), max.add(BigInteger.ONE).equals(or));
        expected.put(or, true);
        for (Map.Entry<BigInteger, Boolean> e : expected.entrySet()) {
            boolean accepted = validatorAccepts(key, e.getKey().toString());
            if (accepted != e.getValue())
                throw new IllegalStateException(key.name + ": " + e.getKey() + " is " + (accepted ? "accepted" : "refused")
                    + ", unlike the description " + key.validator);
        }
    }

    /** MetadataVersionValidator lists IBP versions; it takes those and some of their short forms ("3.0"): ask it. */
    static String acceptedVersions(ConfigDef.ConfigKey key) {
        String description = key.validator.toString();
        Set<String> candidates = new LinkedHashSet<>();
        for (String item : description.substring(1, description.length() - 1).split(",\\s*")) {
            candidates.add(item);
            candidates.add(item.replaceFirst("-IV\\d+$", ""));
        }
        List<String> accepted = new ArrayList<>();
        for (String candidate : candidates) if (validatorAccepts(key, candidate)) accepted.add(candidate);
        if (accepted.isEmpty()) throw new IllegalStateException(key.name + ": no version accepted");
        return oneOf(accepted, false, null).replaceFirst("}$", ", \"fromValidator\": true}");
    }

    static boolean validatorAccepts(ConfigDef.ConfigKey key, String value) {
        try {
            key.validator.ensureValid(key.name, ConfigDef.parseType(key.name, value, key.type));
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    static boolean hasField(Object target, String name) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) if (f.getName().equals(name)) return true;
        }
        return false;
    }

    static Object field(Object target, String name) throws IllegalAccessException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getName().equals(name)) {
                    f.setAccessible(true);
                    return f.get(target);
                }
            }
        }
        throw new IllegalStateException(target.getClass().getName() + " has no field " + name + " in this Kafka version");
    }

    // ---- the probes: Kafka's verdict on values a user might write ----

    static String probes(String version, Map<String, ConfigDef.ConfigKey> keys) throws Exception {
        List<String> lines = new ArrayList<>();
        for (ConfigDef.ConfigKey key : keys.values())
            for (String value : probeValues(key)) lines.add(probe(key.name, value));
        for (String name : List.of("no.such.config", "retention.msec", "message.format.version",
                "message.downconversion.enable", "message.timestamp.difference.max.ms", "max.decompressed.message.bytes"))
            if (!keys.containsKey(name)) lines.add(probe(name, "1"));
        return "{\n"
            + "  \"generator\": " + json(GENERATOR) + ",\n"
            + "  \"source\": " + json("org.apache.kafka.storage.internals.log.LogConfig.validate, one config per call") + ",\n"
            + "  \"kafkaVersion\": " + json(version) + ",\n"
            + "  \"probes\": [\n" + String.join(",\n", lines) + "\n  ]\n}\n";
    }

    static String probe(String name, String value) throws Exception {
        String error = kafkaVerdict(name, value);
        return "    {\"name\": " + json(name) + ", \"value\": " + json(value) + ", \"accepted\": " + (error == null)
            + (error == null ? "" : ", \"kafka\": " + json(error)) + "}";
    }

    /** null when Kafka accepts `name=value` as a topic's only config, else its message. */
    static String kafkaVerdict(String name, String value) throws Exception {
        Method validate = null;
        for (Method m : LogConfig.class.getMethods())
            if (m.getName().equals("validate") && m.getParameterCount() == 1 && Modifier.isStatic(m.getModifiers())) validate = m;
        if (validate == null) throw new IllegalStateException("LogConfig.validate(one argument) not found");
        Object argument;
        if (validate.getParameterTypes()[0] == Properties.class) {
            Properties props = new Properties();
            props.setProperty(name, value);
            argument = props;
        } else {
            Map<String, String> map = new HashMap<>();
            map.put(name, value);
            argument = map;
        }
        try {
            validate.invoke(null, argument);
            return null;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
    }

    static List<String> probeValues(ConfigDef.ConfigKey key) throws Exception {
        Set<String> values = new LinkedHashSet<>(List.of("", "abc"));
        switch (key.type) {
            case BOOLEAN -> values.addAll(List.of("true", "FALSE", "True", "yes", "1", "t"));
            case INT, SHORT, LONG -> {
                values.addAll(List.of("0", "1", "-1", "-2", "+5", "-0", "007", "1.5", "1e3", "0x10", "1_000", "1 000",
                    "2147483647", "2147483648", "-2147483648", "-2147483649", "32767", "32768", "-32769",
                    "9223372036854775807", "9223372036854775808", "-9223372036854775809"));
                Matcher m = Pattern.compile("\"(min|max|or)\": \\[?\"(-?\\d+)\"").matcher(check(key));
                while (m.find()) {
                    BigInteger b = new BigInteger(m.group(2));
                    values.addAll(List.of(b.subtract(BigInteger.ONE).toString(), b.toString(), b.add(BigInteger.ONE).toString()));
                }
            }
            case DOUBLE -> values.addAll(List.of("0", "0.5", ".5", "5.", "+0.25", "-0.1", "-0", "1e-1", "5E-1", "0.5d",
                "0.5F", "0x1p-1", "0X.8P0", "0x1.0p0d", "NaN", "Infinity", "-Infinity", "+Infinity", "nan", "1",
                "1.0000001", "1,5", "0.5e", "1e400", "e1", "0x1p", "0x1", "1_0", "0.5 d"));
            case STRING, LIST -> {
                Matcher m = Pattern.compile("\"allowed\": \\[([^\\]]*)\\]").matcher(check(key));
                if (m.find()) {
                    int i = 0;
                    for (String quoted : m.group(1).split(",\\s*")) {
                        String s = quoted.replaceAll("^\"|\"$", "");
                        if (s.isEmpty() || (key.name.contains("version") && i++ % 7 != 0)) continue;
                        values.addAll(List.of(s, s.toUpperCase(), s.toLowerCase(), s + "x"));
                    }
                }
                if (key.type == ConfigDef.Type.LIST)
                    values.addAll(List.of("compact,delete", "delete, compact", "compact,compact", "compact,,delete",
                        "compact,", ",", "*", "*,", "0:1", "0:1,1:2", "0:1, 1:2", "0-1", "0:x", "*,0:1", "0:1,*"));
                if (key.name.contains("version"))
                    values.addAll(List.of("3.0", "0.10", "4.0", "4.0-IV0", "9.9", "3.0-iv1"));
            }
            default -> {
            }
        }
        return new ArrayList<>(values);
    }

    // ---- JSON ----

    static String jsonStrings(Collection<?> items) {
        List<String> parts = new ArrayList<>();
        for (Object item : items) parts.add(json(String.valueOf(item)));
        return "[" + String.join(", ", parts) + "]";
    }

    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }
}
