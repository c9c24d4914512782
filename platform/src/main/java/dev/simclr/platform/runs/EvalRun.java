package dev.simclr.platform.runs;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.platform.dataset.DatasetManifest;
import dev.simclr.platform.dataset.DatasetStore;
import dev.simclr.platform.dataset.LabelledImages;
import dev.simclr.platform.engine.model.Encoders;
import dev.simclr.platform.engine.model.Network;
import dev.simclr.platform.engine.train.Checkpoint;
import dev.simclr.platform.engine.train.Classification;
import dev.simclr.platform.engine.train.Evaluation;
import dev.simclr.platform.engine.train.LinearEvaluation;
import dev.simclr.platform.engine.train.LoopSettings;
import dev.simclr.platform.engine.train.Normalization;
import dev.simclr.platform.engine.train.TrainingLoop;
import dev.simclr.platform.store.ObjectStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An evaluation: {@code linear} / {@code transfer} — logistic regression on the frozen encoder's standardised
 * features of the dataset's train split at the requested batch size, scored on its test split (transfer: a dataset
 * other than the encoder's); {@code test-accuracy} — a classifier checkpoint's own head on the test split;
 * {@code pixels} — the linear baseline on raw pixels (no checkpoint). Short: one slice, no checkpoints.
 */
public final class EvalRun {
    private final RunStore runs;
    private final DatasetStore datasets;
    private final String device;

    public EvalRun(ObjectStore store, String device) {
        this.runs = new RunStore(store);
        this.datasets = new DatasetStore(store);
        this.device = device;
    }

    public RunSlice.Outcome run(EvalRequested r) {
        Optional<RunSlice.Outcome> done = RunSlice.alreadyDone(runs, r.runId());
        if (done.isPresent()) {
            return done.get();
        }
        double cpu0 = RunSlice.processCpuSeconds();
        DatasetManifest manifest = datasets.requireManifest(r.dataset().name(), r.dataset().version());
        int classes = manifest.classNames().size();
        LabelledImages train = datasets.load(r.dataset().name(), r.dataset().version(), "train");
        LabelledImages test = manifest.splits().containsKey("test")
                ? datasets.load(r.dataset().name(), r.dataset().version(), "test") : train;
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager(Device.fromName(device))) {
            Evaluation e;
            if ("pixels".equals(r.kind())) {
                try (LinearEvaluation linear = LinearEvaluation.ofPixels(settings(r), train, classes, manager)) {
                    train(linear);
                    e = linear.evaluatePixels(test);
                }
            } else {
                Checkpoint c = runs.loadByKey("checkpoint", r.checkpoint());
                JsonNode spec = c.meta().path("spec");
                int channels = c.meta().path("inChannels").asInt();
                if (channels != train.channels()) {
                    throw new IllegalArgumentException("dataset: the encoder takes " + channels
                            + "-channel images, " + r.dataset().name() + " has " + train.channels());
                }
                Encoders.requireInputSize("dataset", spec.path("family").asText(), spec.path("depth").asInt(),
                        train.height(), train.width());
                Normalization norm = Checkpoint.JSON.convertValue(c.meta().get("normalization"), Normalization.class);
                if ("test-accuracy".equals(r.kind())) {
                    e = testAccuracy(c, train, test, norm, manager);
                } else {
                    Encoders.Encoder enc = Encoders.build(spec.path("family").asText(), spec.path("depth").asInt(),
                            spec.path("width").asDouble(), channels);
                    Network encoder = new Network(enc.block(), manager.newSubManager(),
                            new Shape(2, channels, train.height(), train.width()), 0);
                    TrainingLoop.loadNetwork(encoder, c.network("encoder"), "encoder");
                    encoder.freeze(true);
                    try (LinearEvaluation linear = LinearEvaluation.ofEncoder(settings(r), encoder, norm, train,
                            classes, manager)) {
                        train(linear);
                        e = linear.evaluateEncoder(encoder, norm, test);
                    }
                }
            }
            metrics.put("top1", e.top1());
            if (e.top5() != null) {
                metrics.put("top5", e.top5());
            }
            metrics.put("classes", (double) classes);
            metrics.put("trainImages", (double) train.count());
            metrics.put("testImages", (double) test.count());
        }
        RunCompleted completed = new RunCompleted(1, r.experimentId(), r.runId(), Stage.EVAL, null, metrics,
                RunSlice.processCpuSeconds() - cpu0, Instant.now());
        runs.saveResult(r.runId(), dev.simclr.contracts.EventCodec.encode(completed));
        return new RunSlice.Outcome(completed, 0, 0, false);
    }

    private static LoopSettings settings(EvalRequested r) {
        // logistic regression: Adam, no warm-up, a little weight decay
        return new LoopSettings(r.batchSize(), r.epochs(), r.seed(), "adam", 1e-3, 0.9, 1e-4, false, 0, "none", 0);
    }

    private static void train(LinearEvaluation linear) {
        linear.run(dev.simclr.platform.engine.train.RunListener.NONE);
    }

    private static Evaluation testAccuracy(Checkpoint c, LabelledImages train, LabelledImages test,
                                           Normalization norm, NDManager manager) {
        if (!"classifier".equals(c.meta().path("kind").asText())) {
            throw new IllegalArgumentException("checkpoint: test-accuracy needs a classifier checkpoint, this is a "
                    + c.meta().path("kind").asText("unknown") + " checkpoint");
        }
        Classification.Spec spec = Checkpoint.JSON.convertValue(c.meta().get("spec"), Classification.Spec.class);
        LoopSettings any = new LoopSettings(2, 1, 0, "sgd", 0.1, 0, 0, false, 0, "none", 0);
        try (Classification model = new Classification(any, spec, train, norm, null, manager)) {
            TrainingLoop.loadNetwork(model.encoder(), c.network("encoder"), "encoder");
            TrainingLoop.loadNetwork(model.head(), c.network("classifier"), "classifier");
            return model.evaluate(test);
        }
    }
}
