package dev.simclr.contracts;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one configured JSON mapper for everything that writes the platform's formats (events, manifests, checkpoint
 * metadata, experiment state, reports): instants as ISO-8601 text, properties and map keys sorted, so that the same
 * value always has the same bytes (run ids and tests rely on it).
 */
public final class Json {
    private Json() {}

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** Indented, for files people read (manifests, reports, state). */
    public static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    /**
     * For input people write (an experiment's spec): a number is a number ({@code "3"} is not 3, {@code 2.5} is no
     * integer), a misspelt field is an error, and no list holds a null.
     */
    public static final ObjectMapper STRICT = MAPPER.copy()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .setDefaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL));

    /**
     * What was wrong with input read by {@link #STRICT}, by field: {@code "spec.pretrain.epochs: expected an
     * integer, got a string"} rather than Jackson's class names. {@code root} names the value that was read.
     */
    public static String problem(String root, com.fasterxml.jackson.core.JsonProcessingException e) {
        String path = root;
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            StringBuilder b = new StringBuilder(root);
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    b.append(b.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    b.append('[').append(ref.getIndex()).append(']');
                }
            }
            path = b.length() == 0 ? "message" : b.toString();
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            java.util.List<String> known = new java.util.ArrayList<>();
            u.getKnownPropertyIds().forEach(k -> known.add(k.toString()));
            known.sort(String::compareTo);
            int dot = path.lastIndexOf('.');
            return (dot < 0 ? path : path.substring(0, dot)) + ": unknown field '" + u.getPropertyName()
                    + "' (known: " + String.join(", ", known) + ")";
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidNullException) {
            return path + ": null is not allowed here";
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f && f.getTargetType() != null
                && f.getTargetType().isEnum()) {
            java.util.List<String> allowed = new java.util.ArrayList<>();
            for (Object c : f.getTargetType().getEnumConstants()) {
                allowed.add(Wire.name((Enum<?>) c));
            }
            return path + ": '" + f.getValue() + "' is not one of " + allowed;
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mi && mi.getTargetType() != null) {
            return path + ": expected " + expected(mi.getTargetType()) + found(mi);
        }
        if (e instanceof com.fasterxml.jackson.core.JsonParseException) {
            return "message: not valid JSON (" + e.getOriginalMessage() + ")";
        }
        return path + ": " + e.getOriginalMessage();
    }

    private static String expected(Class<?> t) {
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) {
            return "a number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class || t.isEnum()) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String found(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        String m = e.getOriginalMessage();
        if (m == null) {
            return "";
        }
        if (m.contains("from String") || m.contains("String value")) {
            return ", got a string";
        }
        if (m.contains("Floating-point") || m.contains("from Floating")) {
            return ", got a number with a fraction";
        }
        if (m.contains("from Boolean")) {
            return ", got a boolean";
        }
        if (m.contains("from Array") || m.contains("START_ARRAY")) {
            return ", got an array";
        }
        if (m.contains("from Object") || m.contains("START_OBJECT")) {
            return ", got an object";
        }
        if (m.contains("from Integer") || m.contains("VALUE_NUMBER_INT")) {
            return ", got an integer";
        }
        if (m.contains("out of range") || m.contains("Numeric value")) {
            return ", got a number out of range";
        }
        return "";
    }

    static {
        STRICT.coercionConfigDefaults()
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        STRICT.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
    }
}
