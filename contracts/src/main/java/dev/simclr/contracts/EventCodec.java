package dev.simclr.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON on the wire for every {@link Event}: a {@code "type"} field names the event, the record's fields follow.
 * Decoding checks the schema version, then the event's JSON Schema (the same file non-Java clients read), then
 * binds the record, so a bad message is refused with every problem named by its field.
 */
public final class EventCodec {
    /** Sorted keys: the same event always has the same bytes, which run ids and tests rely on. */
    public static final ObjectMapper MAPPER = Json.MAPPER;

    /** Loaded on first decode, so the schema generator can use {@link #MAPPER} before the files exist. */
    private static final class Schemas {
        static final Map<EventType, JsonSchema> BY_TYPE = loadSchemas();
    }

    private EventCodec() {}

    public static String encode(Event event) {
        ObjectNode node = MAPPER.valueToTree(event);
        ObjectNode out = MAPPER.createObjectNode();
        out.put("type", EventType.of(event.getClass()).wireName());
        out.setAll(node);
        try {
            return MAPPER.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event, e);
        }
    }

    /** Decodes any event; its {@code "type"} field says which. */
    public static Event decode(String json) {
        JsonNode node = parse(json);
        return bind(node, typeOf(node));
    }

    /** Decodes an event that must be of {@code expected}'s type (a topic carries one kind of request). */
    public static <T extends Event> T decode(String json, Class<T> expected) {
        JsonNode node = parse(json);
        EventType want = EventType.of(expected);
        JsonNode type = node.get("type");
        // A missing type on a one-kind topic is forgiven: hand-written kcat messages often omit it.
        if (type != null && !want.wireName().equals(type.asText())) {
            throw new InvalidEventException(List.of(
                    "type: expected '" + want.wireName() + "' but was '" + type.asText() + "'"));
        }
        return expected.cast(bind(node, want));
    }

    /**
     * The experiment and run ids of a message, read leniently, so a rejection can still be addressed to the run
     * that sent it. Null where absent or not text.
     */
    public static String textField(String json, String field) {
        try {
            JsonNode value = MAPPER.readTree(json).get(field);
            return value != null && value.isTextual() ? value.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static JsonNode parse(String json) {
        if (json == null || json.isBlank()) {
            throw new InvalidEventException(List.of("message: empty"));
        }
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new InvalidEventException(List.of("message: not a JSON object"));
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(List.of("message: not JSON (" + e.getOriginalMessage() + ")"));
        }
    }

    private static EventType typeOf(JsonNode node) {
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw new InvalidEventException(List.of("type: missing; one of " + wireNames()));
        }
        return EventType.byWireName(type.asText()).orElseThrow(() -> new InvalidEventException(
                List.of("type: unknown '" + type.asText() + "'; one of " + wireNames())));
    }

    private static Event bind(JsonNode node, EventType type) {
        JsonNode version = node.get("schemaVersion");
        if (version != null && version.isInt() && version.intValue() != Event.SCHEMA_VERSION) {
            throw new InvalidEventException(List.of("schemaVersion: unsupported version " + version.intValue()
                    + " (this build reads " + Event.SCHEMA_VERSION + ")"));
        }
        Set<ValidationMessage> messages = Schemas.BY_TYPE.get(type).validate(node);
        if (!messages.isEmpty()) {
            List<String> problems = new ArrayList<>();
            messages.forEach(m -> problems.add(describe(m)));
            problems.sort(String::compareTo);
            throw new InvalidEventException(problems);
        }
        try {
            return MAPPER.treeToValue(node, type.recordClass());
        } catch (JsonProcessingException e) {
            // what the schema lets through but the record cannot hold (a number beyond an int): named by its path
            throw new InvalidEventException(List.of(Json.problem("", e)));
        }
    }

    /** "encoder.depth: string found, integer expected": the field path first, without the validator's "$.". */
    private static String describe(ValidationMessage m) {
        String path = m.getInstanceLocation().toString();
        String field = path.startsWith("$.") ? path.substring(2) : path.equals("$") ? "" : path;
        if ("required".equals(m.getType()) && m.getProperty() != null) {
            String parent = field.isEmpty() ? "" : field + ".";
            return parent + m.getProperty() + ": required field is missing";
        }
        String text = m.getMessage();
        int colon = text.indexOf(": ");
        String reason = colon >= 0 ? text.substring(colon + 2) : text;
        return (field.isEmpty() ? "message" : field) + ": " + reason;
    }

    private static String wireNames() {
        List<String> names = new ArrayList<>();
        for (EventType t : EventType.values()) {
            names.add(t.wireName());
        }
        return String.join(", ", names);
    }

    private static Map<EventType, JsonSchema> loadSchemas() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        Map<EventType, JsonSchema> schemas = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            try (InputStream in = EventCodec.class.getClassLoader().getResourceAsStream(type.schemaResource())) {
                if (in == null) {
                    throw new IllegalStateException("missing schema " + type.schemaResource());
                }
                schemas.put(type, factory.getSchema(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schemas;
    }
}
