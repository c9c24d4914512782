package dev.simclr.contracts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic run ids: {@code <stage>-<16 hex of sha256(scope, stage, canonical JSON of the parameters)>}. The same
 * computation always gets the same id, so a re-delivered request is recognised and not run twice, and a run another
 * experiment already finished is answered from its stored result. The scope is {@link #shared} — what a run computes
 * and nothing else: its parameters, its parents' ids, its datasets' content hashes (the planner puts them in) and
 * {@link #NUMERICS} — or {@link #fresh}, which adds the experiment's id, for an experiment that must run everything
 * itself.
 */
public final class RunIds {
    /**
     * The version of the numbers a run computes: bumped with every change to training, augmentation, losses,
     * models or evaluation that changes a run's results, so runs stored before it are not reused. Kept honest by
     * {@code NumericsPinTest} (runs module), which pins a tiny pipeline's numbers to this version. A change confined
     * to one stage may instead add what changed to that stage's identity (the linear evaluations' head learning
     * rates, {@code EvalRequested.HEAD_LEARNING_RATES}): only that stage's runs are then computed again.
     */
    public static final int NUMERICS = 1;

    private RunIds() {}

    /** The scope of runs any experiment may reuse. */
    public static String shared() {
        return "numerics=" + NUMERICS;
    }

    /** The scope of an experiment that runs everything itself (spec {@code fresh: true}). */
    public static String fresh(String experimentId) {
        return shared() + ";experiment=" + experimentId;
    }

    /**
     * {@code scope}: {@link #shared} or {@link #fresh}; {@code parameters} is any value Jackson can write; map keys
     * and record fields are sorted first.
     */
    public static String of(String scope, Stage stage, Object parameters) {
        try {
            JsonNode tree = EventCodec.MAPPER.valueToTree(parameters);
            String canonical = EventCodec.MAPPER.writeValueAsString(canonicalise(tree));
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(scope.getBytes(StandardCharsets.UTF_8));
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
