package dev.simclr.engine.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.core.npy.Npy;
import dev.simclr.engine.model.Network;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The choice of epoch on a validation split, for every loop that makes one (distillation; a fine-tune trained to its
 * best validation epoch within a cap): after each epoch the validation top-1; the best epoch's weights kept (in
 * memory and in every checkpoint, so a resumed run ends on the same epoch); training stops after
 * {@code patienceEpochs} epochs without a better one, and the best weights are restored when it ends — the test
 * split is then read once, by the run, on those weights.
 */
public final class BestEpoch {
    private static final String PREFIX = "best/";
    private final int patienceEpochs;
    private double bestAccuracy = -1;
    private int bestEpoch = -1;
    private int epochsTrained;
    private Map<String, float[]> bestState;

    public BestEpoch(int patienceEpochs) {
        if (patienceEpochs < 1) {
            throw new IllegalArgumentException("patienceEpochs must be at least 1, got " + patienceEpochs);
        }
        this.patienceEpochs = patienceEpochs;
    }

    /** The best validation top-1 so far (-1 before the first epoch ends). */
    public double bestAccuracy() {
        return bestAccuracy;
    }

    /** The 0-based epoch whose weights are kept (-1 before the first epoch ends). */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Epochs trained so far: up to the cap, fewer when patience ran out. */
    public int epochsTrained() {
        return epochsTrained;
    }

    /** Records epoch {@code epoch}'s validation top-1; true stops training. At the end the best weights are back. */
    boolean endOfEpoch(int epoch, double accuracy, boolean last, Map<String, Network> networks) {
        epochsTrained = epoch + 1;
        if (accuracy > bestAccuracy) {
            bestAccuracy = accuracy;
            bestEpoch = epoch;
            bestState = snapshot(networks);
        }
        boolean stop = epoch - bestEpoch >= patienceEpochs;
        if ((stop || last) && bestState != null) {
            restore(networks, bestState);
        }
        return stop;
    }

    /** The selection's figures as a run reports them: validation top-1, best epoch, epochs trained. */
    public void metrics(Map<String, Double> metrics) {
        metrics.put("validationTop1", bestAccuracy);
        metrics.put("bestEpoch", (double) bestEpoch);
        metrics.put("epochsTrained", (double) epochsTrained);
    }

    void describe(ObjectNode meta) {
        meta.put("bestValidationAccuracy", bestAccuracy);
        meta.put("bestEpoch", bestEpoch);
        meta.put("epochsTrained", epochsTrained);
    }

    void restoreDescription(ObjectNode meta) {
        bestAccuracy = meta.path("bestValidationAccuracy").asDouble(-1);
        bestEpoch = meta.path("bestEpoch").asInt(-1);
        // a checkpoint from before the field: the epochs it had completed
        epochsTrained = meta.path("epochsTrained").asInt(meta.path("epoch").asInt(0));
    }

    void extraTensors(Map<String, Npy.Array> tensors) {
        if (bestState != null) {
            bestState.forEach((k, v) -> tensors.put(PREFIX + k, Npy.float32(v, v.length)));
        }
    }

    void restoreExtraTensors(Map<String, Npy.Array> tensors) {
        Map<String, float[]> best = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                best.put(k.substring(PREFIX.length()), v.asFloats());
            }
        });
        bestState = best.isEmpty() ? null : best;
    }

    private static Map<String, float[]> snapshot(Map<String, Network> networks) {
        Map<String, float[]> s = new LinkedHashMap<>();
        networks.forEach((name, net) -> net.state().forEach((k, v) -> s.put(name + "/" + k, v)));
        return s;
    }

    private static void restore(Map<String, Network> networks, Map<String, float[]> s) {
        networks.forEach((name, net) -> {
            var params = net.parameters();
            for (int i = 0; i < params.size(); i++) {
                params.get(i).getValue().getArray().set(s.get(name + "/" + Network.key(i, params.get(i).getKey())));
            }
        });
    }
}
