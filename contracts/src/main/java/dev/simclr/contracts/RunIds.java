package dev.simclr.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic run ids: {@code <stage>-<16 hex of sha256(experimentId, stage, canonical JSON of the parameters)>}.
 * The same request always gets the same id, so a re-delivered request is recognised and not run twice.
 */
public final class RunIds {
    private RunIds() {}

    /** {@code parameters} is any value Jackson can write; map keys and record fields are sorted first. */
    public static String of(String experimentId, Stage stage, Object parameters) {
        try {
            JsonNode tree = EventCodec.MAPPER.valueToTree(parameters);
            String canonical = EventCodec.MAPPER.writeValueAsString(canonicalise(tree));
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(experimentId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(stage.wireName().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(canonical.getBytes(StandardCharsets.UTF_8));
            return stage.wireName() + "-" + HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Objects with sorted keys at every depth (valueToTree keeps insertion order for plain maps). */
    private static JsonNode canonicalise(JsonNode node) {
        if (node.isObject()) {
            var sorted = EventCodec.MAPPER.createObjectNode();
            var names = new java.util.TreeSet<String>();
            node.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                sorted.set(name, canonicalise(node.get(name)));
            }
            return sorted;
        }
        if (node.isArray()) {
            var array = EventCodec.MAPPER.createArrayNode();
            node.forEach(n -> array.add(canonicalise(n)));
            return array;
        }
        return node;
    }
}
