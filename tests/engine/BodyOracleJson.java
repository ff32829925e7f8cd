// JSON facts for the body oracle (see BodyOracle.java).
//
// Request bodies are read with an ObjectMapper configured as engine-rest's
// JacksonConfigurator.configureObjectMapper does (date format,
// FAIL_ON_UNKNOWN_PROPERTIES off; its JavaTimeModule only changes how
// java.time values bind, not how bytes parse, and is not in Debian's jars),
// from bytes, so Jackson detects the encoding itself as the JAX-RS provider
// lets it. JSON carried in a string value (Object/Json variables) is read
// as Spin's JacksonJsonDataFormatReader reads it: a default ObjectMapper,
// readTree on a Reader.
//
// Two passes:
//  1. a streaming pass that sees every member, duplicates included
//     (Jackson itself keeps the last one): duplicates, depth, sizes, and
//     every `objectTypeName`, `serializationDataFormat` and type-id key
//     (`@class`, `@type`, `@c`, `$type`) with its value as Jackson decodes
//     it (escapes resolved), in any object at all (over-inclusive);
//  2. a tree pass (last duplicate wins, as the engine binds it) that finds
//     typed variables - objects with a `type` and a `value` or `valueInfo`
//     member, as VariableValueDto binds them - and records what the engine
//     would refuse (VariableValueDto.toTypedValue) and the documents they
//     carry, whose facts are nested here (bounded depth).

import java.io.StringReader;
import java.text.SimpleDateFormat;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

final class BodyOracleJson {
    /** engine-rest's mapper (JacksonConfigurator.configureObjectMapper). */
    static final ObjectMapper REST = new ObjectMapper();
    /** Spin's mapper (JacksonJsonDataFormat: new ObjectMapper()). */
    static final ObjectMapper SPIN = new ObjectMapper();

    static {
        REST.setDateFormat(new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSZ"));
        REST.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        REST.configure(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS, false);
    }

    /** Type names the engine resolves after lower-casing the first char
     * (ValueTypeResolverImpl with the Spin plugin's Json and Xml). */
    static final Set<String> KNOWN_TYPES = Set.of("null", "boolean", "bytes", "short", "integer", "long",
        "double", "date", "string", "number", "object", "file", "json", "xml");
    /** Formats the engine has serializers for (Spin JSON/XML, Java). */
    static final Set<String> KNOWN_FORMATS = Set.of("application/json", "application/xml",
        "application/x-java-serialized-object");
    static final Set<String> TYPE_IDS = Set.of("@class", "@type", "@c", "$type");
    static final int MAX_CARRIED_DEPTH = 6;

    private BodyOracleJson() {}

    /** Facts of a request body (bytes, REST mapper). */
    static ObjectNode facts(byte[] body, int level) {
        ObjectNode f = BodyOracle.NODES.objectNode();
        try {
            stream(REST.getFactory().createParser(body), f);
        } catch (Exception e) {
            f.put("ok", false);
            f.put("error", BodyOracle.clean(e.getMessage()));
        }
        if (!f.has("ok")) {
            try {
                tree(REST.readTree(body), f, level);
                f.put("ok", true);
            } catch (Exception e) {
                f.put("ok", false);
                f.put("error", BodyOracle.clean(e.getMessage()));
            }
        }
        return f;
    }

    /** Facts of a document carried in a string (Spin mapper, Reader). */
    static ObjectNode carried(String text, int level) {
        ObjectNode f = BodyOracle.NODES.objectNode();
        try {
            stream(SPIN.getFactory().createParser(new StringReader(text)), f);
        } catch (Exception e) {
            f.put("ok", false);
            f.put("error", BodyOracle.clean(e.getMessage()));
        }
        if (!f.has("ok")) {
            try {
                JsonNode node = SPIN.readTree(new StringReader(text));
                if (node == null || node.isMissingNode()) {
                    // Spin: "Input is empty".
                    f.put("ok", false);
                    f.put("error", "empty input");
                } else {
                    tree(node, f, level);
                    f.put("ok", true);
                }
            } catch (Exception e) {
                f.put("ok", false);
                f.put("error", BodyOracle.clean(e.getMessage()));
            }
        }
        return f;
    }

    static ArrayNode arr(ObjectNode f, String name) {
        JsonNode n = f.get(name);
        if (n instanceof ArrayNode) {
            return (ArrayNode) n;
        }
        return f.putArray(name);
    }

    /** Pass 1: every token. Sets "ok":false on a parse error. */
    static void stream(JsonParser p, ObjectNode f) throws Exception {
        ArrayNode classes = arr(f, "classes");
        ArrayNode formats = arr(f, "formats");
        ArrayNode typeIds = arr(f, "type_ids");
        boolean dup = false;
        boolean lone = false;
        boolean oddClass = false;
        boolean trailing = false;
        int depth = 0;
        int maxDepth = 0;
        int maxString = 0;
        int maxNumber = 0;
        int maxMembers = 0;
        ArrayDeque<Set<String>> keys = new ArrayDeque<>();
        ArrayDeque<int[]> members = new ArrayDeque<>();
        String pendingKey = null;
        try (JsonParser parser = p) {
            JsonToken t;
            while ((t = parser.nextToken()) != null) {
                switch (t) {
                    case START_OBJECT:
                    case START_ARRAY:
                        if ("objectTypeName".equals(pendingKey)) {
                            oddClass = true;
                        }
                        depth++;
                        maxDepth = Math.max(maxDepth, depth);
                        keys.push(t == JsonToken.START_OBJECT ? new HashSet<>() : Set.of());
                        members.push(new int[1]);
                        pendingKey = null;
                        break;
                    case END_OBJECT:
                    case END_ARRAY:
                        depth--;
                        keys.pop();
                        maxMembers = Math.max(maxMembers, members.pop()[0]);
                        break;
                    case FIELD_NAME: {
                        String k = parser.currentName();
                        lone |= BodyOracle.hasLoneSurrogate(k);
                        maxString = Math.max(maxString, utf8Length(k));
                        if (!keys.peek().add(k)) {
                            dup = true;
                        }
                        members.peek()[0]++;
                        pendingKey = k;
                        continue;
                    }
                    case VALUE_STRING: {
                        String v = parser.getText();
                        lone |= BodyOracle.hasLoneSurrogate(v);
                        maxString = Math.max(maxString, utf8Length(v));
                        if (pendingKey != null) {
                            if (pendingKey.equals("objectTypeName")) {
                                BodyOracle.add(classes, v);
                                classParts(f, v);
                            } else if (pendingKey.equals("serializationDataFormat")) {
                                BodyOracle.add(formats, v);
                            } else if (TYPE_IDS.contains(pendingKey)) {
                                ArrayNode pair = BodyOracle.NODES.arrayNode();
                                pair.add(pendingKey);
                                pair.add(BodyOracle.clean(v));
                                if (typeIds.size() < BodyOracle.MAX_LIST) {
                                    typeIds.add(pair);
                                }
                            }
                        }
                        break;
                    }
                    case VALUE_NUMBER_INT:
                    case VALUE_NUMBER_FLOAT:
                        maxNumber = Math.max(maxNumber, parser.getText().length());
                        if ("objectTypeName".equals(pendingKey)) {
                            oddClass = true;
                        }
                        break;
                    case VALUE_TRUE:
                    case VALUE_FALSE:
                        if ("objectTypeName".equals(pendingKey)) {
                            oddClass = true;
                        }
                        break;
                    default:
                        break;
                }
                pendingKey = null;
                if (depth == 0) {
                    // The root value is complete. Jackson's ObjectMapper
                    // stops here (FAIL_ON_TRAILING_TOKENS is off): anything
                    // after it is never read by the engine.
                    try {
                        trailing = parser.nextToken() != null;
                    } catch (Exception e) {
                        trailing = true;
                    }
                    break;
                }
            }
        } finally {
            f.put("duplicates", dup);
            f.put("lone_surrogates", lone);
            f.put("odd_class", oddClass);
            f.put("trailing", trailing);
            f.put("max_depth", maxDepth);
            f.put("max_string_bytes", maxString);
            f.put("max_number_length", maxNumber);
            f.put("max_members", maxMembers);
        }
    }

    /** The classes inside a type name, as Jackson's canonical parser
     * meets them (see BodyOracleMultipart.Recording): [name, parses, [classes]]. */
    static void classParts(ObjectNode f, String name) {
        ArrayNode all = arr(f, "class_parts");
        if (all.size() >= BodyOracle.MAX_LIST) {
            return;
        }
        ArrayNode entry = all.addArray();
        entry.add(BodyOracle.clean(name));
        BodyOracleMultipart.Recording r = new BodyOracleMultipart.Recording();
        boolean parses;
        try {
            r.constructFromCanonical(name);
            parses = true;
        } catch (Exception e) {
            parses = false;
        }
        entry.add(parses);
        ArrayNode names = entry.addArray();
        for (String n : r.names) {
            BodyOracle.add(names, n);
        }
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    static String firstLower(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toLowerCase() + s.substring(1);
    }

    /** Pass 2: typed variables as the engine binds them. */
    static void tree(JsonNode node, ObjectNode f, int level) {
        ArrayNode refusals = arr(f, "engine_refusals");
        ArrayNode variables = arr(f, "typed_types");
        ArrayNode carriedJson = arr(f, "carried_json");
        ArrayNode carriedXml = arr(f, "carried_xml");
        boolean untypedFormat = f.path("untyped_format").asBoolean(false);
        boolean javaSerialization = f.path("java_serialization").asBoolean(false);
        ArrayDeque<JsonNode> todo = new ArrayDeque<>();
        todo.push(node);
        while (!todo.isEmpty()) {
            JsonNode n = todo.pop();
            if (n.isArray()) {
                for (JsonNode c : n) {
                    todo.push(c);
                }
                continue;
            }
            if (!n.isObject()) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                todo.push(it.next().getValue());
            }
            JsonNode type = n.get("type");
            JsonNode value = n.get("value");
            JsonNode info = n.get("valueInfo");
            if (type == null && info != null && info.has("serializationDataFormat")) {
                // The engine ignores valueInfo of untyped values; the guard
                // judges the format anyway. Over-inclusive: Java
                // serialization here counts.
                untypedFormat = true;
                javaSerialization |= isJavaSerialization(info.get("serializationDataFormat"));
            }
            if (type == null || (value == null && info == null)) {
                continue;
            }
            if (!type.isTextual() || type.asText().isEmpty()) {
                BodyOracle.add(refusals, "type is not a non-empty string");
                continue;
            }
            String t = firstLower(type.asText());
            BodyOracle.add(variables, type.asText());
            if (!KNOWN_TYPES.contains(t)) {
                BodyOracle.add(refusals, "unsupported value type " + type.asText());
                continue;
            }
            boolean serializable = t.equals("object") || t.equals("json") || t.equals("xml");
            if (!serializable) {
                continue;
            }
            if (value != null && !value.isNull() && !value.isTextual()) {
                BodyOracle.add(refusals, "serializable value is not a string");
                continue;
            }
            JsonNode otn = info != null ? info.get("objectTypeName") : null;
            JsonNode fmt = info != null ? info.get("serializationDataFormat") : null;
            String format = fmt != null && fmt.isTextual() ? fmt.asText() : null;
            boolean nonNull = value != null && value.isTextual();
            // Only Object values have serializers chosen by format
            // (ValueSerializers by serializationDataFormat); Json and Xml
            // values have their own. Over-inclusive: any letter case, any
            // padding, null values too.
            if (t.equals("object")) {
                javaSerialization |= isJavaSerialization(fmt);
            }
            if (t.equals("object") && nonNull) {
                if (otn == null || !otn.isTextual() || otn.asText().isBlank()) {
                    BodyOracle.add(refusals, "Object value without objectTypeName");
                }
                if (format == null || !KNOWN_FORMATS.contains(format)) {
                    BodyOracle.add(refusals, "Object value without a known serializationDataFormat");
                }
            }
            if (!nonNull) {
                continue;
            }
            String lowerFormat = format == null ? "" : format.toLowerCase();
            boolean json = t.equals("json") || (t.equals("object") && lowerFormat.contains("json"));
            boolean xml = t.equals("xml") || (t.equals("object") && lowerFormat.contains("xml"));
            if (level + 1 > MAX_CARRIED_DEPTH) {
                BodyOracle.add(refusals, "carried documents nested too deeply for the oracle");
                continue;
            }
            if (json) {
                carriedJson.add(carried(value.asText(), level + 1));
            }
            if (xml) {
                ObjectNode x = BodyOracleXml.fromString(value.asText());
                carriedXml.add(x);
            }
        }
        f.put("untyped_format", untypedFormat);
        f.put("java_serialization", javaSerialization);
    }

    static boolean isJavaSerialization(JsonNode format) {
        return format != null && format.isTextual()
            && format.asText().toLowerCase().contains("x-java-serialized-object");
    }
}
