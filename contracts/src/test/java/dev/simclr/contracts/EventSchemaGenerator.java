package dev.simclr.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Generates the JSON Schema of every event from its record: the records are the one source, the schema files in
 * {@code contracts/src/main/resources/schemas} are what non-Java clients read and what decoding enforces.
 * Regenerate with {@code mvn -pl contracts test-compile exec:java} or by running {@link #main}; a test fails when
 * the files and the records disagree.
 */
public final class EventSchemaGenerator {
    private static final String ID_BASE = "https://simclr.dev/schemas/";

    public static Map<EventType, String> generateAll() throws IOException {
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(
                SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonModule(JacksonOption.FLATTENED_ENUMS_FROM_JSONPROPERTY));
        // Records are closed (a misspelt field is an error, not silently ignored); maps are open, typed by value.
        config.forTypesInGeneral().withAdditionalPropertiesResolver(scope -> {
            if (scope.getType().isInstanceOf(Map.class)) {
                return scope.getTypeParameterFor(Map.class, 1);
            }
            return scope.getType().isInstanceOf(JsonNode.class) ? null : Void.class;
        });
        config.forFields().withRequiredCheck(f -> f.getAnnotationConsideringFieldAndGetter(Nullable.class) == null);
        config.forFields().withNullableCheck(f -> f.getAnnotationConsideringFieldAndGetter(Nullable.class) != null);
        // A recipe's spec is free-form here; the coordinator validates it against the recipe.
        config.forTypesInGeneral().withCustomDefinitionProvider((type, context) ->
                type.isInstanceOf(JsonNode.class)
                        ? new CustomDefinition(context.getGeneratorConfig().createObjectNode().put("type", "object"))
                        : null);
        SchemaGenerator generator = new SchemaGenerator(config.build());
        Map<EventType, String> out = new LinkedHashMap<>();
        for (EventType type : EventType.values()) {
            ObjectNode schema = generator.generateSchema(type.recordClass());
            ObjectNode head = EventCodec.MAPPER.createObjectNode();
            head.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            head.put("$id", ID_BASE + type.wireName() + ".schema.json");
            head.put("title", type.wireName());
            head.put("description", "Event '" + type.wireName() + "' on topic " + type.topic()
                    + ", record " + type.recordClass().getName() + ".");
            schema.remove("$schema");
            head.setAll(schema);
            ObjectNode properties = (ObjectNode) head.get("properties");
            properties.putObject("type").put("const", type.wireName())
                    .put("description", "the event's name; optional on a topic that carries one kind of event");
            ((ObjectNode) properties.get("schemaVersion")).put("const", Event.SCHEMA_VERSION);
            ArrayNode required = (ArrayNode) head.get("required");
            ArrayNode sortedRequired = EventCodec.MAPPER.createArrayNode();
            java.util.List<String> names = new java.util.ArrayList<>();
            required.forEach(n -> names.add(n.asText()));
            names.stream().sorted().forEach(sortedRequired::add);
            head.set("required", sortedRequired);
            out.put(type, EventCodec.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(head) + "\n");
        }
        return out;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "contracts/src/main/resources/schemas");
        Files.createDirectories(dir);
        for (var entry : generateAll().entrySet()) {
            Path file = dir.resolve(entry.getKey().wireName() + ".schema.json");
            Files.writeString(file, entry.getValue());
            System.out.println("wrote " + file);
        }
    }
}
