package dev.simclr.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutations of a valid JSON document, what a careless or hostile client sends: a field dropped, nulled or renamed,
 * a value of the wrong type, a string for a number, huge, negative, fractional or non-finite-looking numbers, nulls
 * inside arrays, an unknown field, deep nesting, oversized strings. Each mutation hits one node chosen among all.
 * Drawn from a seeded generator: the same cases on every run, and a failing case is reproduced by its seed.
 */
public final class JsonMutations {
    private JsonMutations() {}

    public enum Kind { DROP, NULL, RENAME, WRONG_TYPE, STRING_FOR_NUMBER, HUGE, NEGATIVE, FRACTION, NULL_IN_ARRAY,
        UNKNOWN_FIELD, DEEP, OVERSIZED, EMPTY_STRING, PATH }

    /** {@code n} mutated copies of {@code valid}: each a kind, a node (any of them) and a seed for its values. */
    public static List<String> sample(String valid, int n, long seed) {
        JsonNode root = parse(valid);
        int nodes = paths(root).size();
        SplittableRandom random = new SplittableRandom(seed);
        List<String> out = new ArrayList<>();
        Kind[] kinds = Kind.values();
        for (int i = 0; i < n; i++) {
            // every kind in turn, so that each is tried on many nodes
            out.add(mutate(root, kinds[i % kinds.length], random.nextInt(nodes), random.nextInt(1000)));
        }
        return out;
    }

    static JsonNode parse(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Every node as (parent, field name or index). */
    record Where(JsonNode parent, String field, int index) {}

    static List<Where> paths(JsonNode root) {
        List<Where> out = new ArrayList<>();
        walk(root, out);
        return out;
    }

    private static void walk(JsonNode n, List<Where> out) {
        if (n.isObject()) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                out.add(new Where(n, f, -1));
                walk(n.get(f), out);
            }
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                out.add(new Where(n, null, i));
                walk(n.get(i), out);
            }
        }
    }

    static String mutate(JsonNode original, Kind kind, int at, int seed) {
        JsonNode root = original.deepCopy();
        List<Where> all = paths(root);
        Where w = all.get(Math.min(at, all.size() - 1));
        JsonNodeFactory f = JsonNodeFactory.instance;
        JsonNode current = w.field() != null ? w.parent().get(w.field()) : w.parent().get(w.index());
        JsonNode replacement = switch (kind) {
            case NULL -> f.nullNode();
            case WRONG_TYPE -> current.isObject() || current.isArray() ? f.textNode("x")
                    : current.isNumber() ? f.objectNode().put("n", 1) : f.arrayNode().add(1);
            case STRING_FOR_NUMBER -> current.isNumber() ? f.textNode(current.asText()) : f.textNode("3");
            case HUGE -> seed % 2 == 0 ? f.numberNode(1e9) : f.numberNode(new java.math.BigInteger("9".repeat(40)));
            case NEGATIVE -> f.numberNode(-1 - seed);
            case FRACTION -> f.numberNode(seed + 0.5);
            case NULL_IN_ARRAY -> current.isArray() ? ((ArrayNode) current.deepCopy()).addNull()
                    : f.arrayNode().addNull();
            case DEEP -> {
                JsonNode deep = f.numberNode(1);
                // deep, but within Jackson's nesting limit (1000) so the document can be written at all
                for (int i = 0; i < 300 + seed % 600; i++) {
                    deep = f.arrayNode().add(deep);
                }
                yield deep;
            }
            case OVERSIZED -> f.textNode("x".repeat(100_000 + seed));
            case EMPTY_STRING -> f.textNode("");
            case PATH -> f.textNode(seed % 2 == 0 ? "../../etc/passwd" : "a/../../b");
            default -> null;
        };
        if (w.field() != null) {
            ObjectNode parent = (ObjectNode) w.parent();
            switch (kind) {
                case DROP -> parent.remove(w.field());
                case RENAME -> parent.set(w.field() + "x", parent.remove(w.field()));
                case UNKNOWN_FIELD -> parent.put("unknown" + seed, seed);
                default -> parent.set(w.field(), replacement);
            }
        } else {
            ArrayNode parent = (ArrayNode) w.parent();
            switch (kind) {
                case DROP, RENAME -> parent.remove(w.index());
                case UNKNOWN_FIELD -> parent.add(f.objectNode().put("unknown", seed));
                default -> parent.set(w.index(), replacement);
            }
        }
        return root.toString();
    }
}
