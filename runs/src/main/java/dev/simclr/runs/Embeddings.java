package dev.simclr.runs;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.CodeVersion;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.npy.Npy;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.core.run.CheckpointMeta;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.store.Sha256;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.train.Features;
import dev.simclr.contracts.Precision;
import dev.simclr.engine.precision.Autocast;
import dev.simclr.engine.train.Normalization;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dataset split's features under a finished run's encoder (eval mode, the checkpoint's normalisation), stored as
 * {@code features.npy} (float32 N×D) and {@code labels.npy} (int64 N, −1 where an image has no label) under
 * {@code runs/<run>/embeddings/<dataset>/<version>/<split>/}, with a {@code manifest.json} written last — what
 * {@code ./simclr embed} computes; numpy loads both files as they are.
 */
public final class Embeddings {
    public static final String FEATURES = "features.npy";
    public static final String LABELS = "labels.npy";

    /** Where they are: the two files' keys, and their shape. */
    public record Written(String prefix, String featuresKey, String labelsKey, int count, int dimension) {}

    private Embeddings() {}

    public static String prefix(String runId, DatasetRef dataset, String split) {
        return RunStore.prefix(runId) + "embeddings/" + dataset.name() + "/" + dataset.version() + "/" + split + "/";
    }

    public static Written compute(ObjectStore store, String runId, DatasetRef dataset, String split, String device) {
        RunStore runs = new RunStore(store);
        JsonNode result = runs.result(runId).orElseThrow(() -> new IllegalArgumentException("run " + runId
                + ": no result (no such run, or not finished)"));
        String key = result.path("checkpointKey").asText(null);
        if (key == null) {
            throw new IllegalArgumentException("run " + runId + " (" + result.path("stage").asText()
                    + ") keeps no checkpoint: embed a pretraining, fine-tuning or distillation run");
        }
        byte[] stored = runs.bytesByKey("checkpoint", key);
        Checkpoint c = RunStore.parse("checkpoint", key, stored);
        if (c.network("encoder").isEmpty()) {
            throw new IllegalArgumentException("run " + runId + ": its checkpoint holds no encoder");
        }
        CheckpointMeta info = CheckpointMeta.of(c);
        LabelledImages images = new DatasetStore(store).load(dataset.name(), dataset.version(), split);
        FrozenEncoder.requireFits(info, images, dataset.name());
        float[] features;
        int dim;
        try (NDManager manager = NDManager.newBaseManager(Device.fromName(device))) {
            Network encoder = FrozenEncoder.load(c, info, images, manager);
            // in the precision the run trained in (its checkpoint says; fp32 when it does not), fp32 out
            Precision precision = Autocast.effective(Checkpoint.JSON.convertValue(
                    c.meta().path("precision").asText("fp32"), Precision.class));
            NDArray f = Features.of(encoder, Normalization.of(info.normalization()), images, manager, precision);
            dim = (int) f.getShape().get(1);
            features = f.toFloatArray();
        }
        String prefix = prefix(runId, dataset, split);
        byte[] featuresNpy = Npy.write(Npy.float32(features, images.count(), dim));
        byte[] labelsNpy = Npy.write(Npy.int64(images.labels()));
        ObjectNode manifest = Checkpoint.JSON.createObjectNode();
        manifest.put("runId", runId).put("dataset", dataset.name() + "/" + dataset.version()).put("split", split)
                .put("count", images.count()).put("dimension", dim).put("checkpointSha256", Sha256.hex(stored)).put("codeVersion", CodeVersion.current())
                .put("featuresSha256", Sha256.hex(featuresNpy)).put("labelsSha256", Sha256.hex(labelsNpy));
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put(prefix + FEATURES, featuresNpy);
        parts.put(prefix + LABELS, labelsNpy);
        store.publish(parts, prefix + "manifest.json", manifest.toPrettyString().getBytes(StandardCharsets.UTF_8));
        return new Written(prefix, prefix + FEATURES, prefix + LABELS, images.count(), dim);
    }
}
