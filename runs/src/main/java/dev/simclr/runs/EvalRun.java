package dev.simclr.runs;

import dev.simclr.core.run.RunSlice;
import dev.simclr.core.run.RunStore;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.core.dataset.DatasetManifest;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.Holdout;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.model.Network;
import dev.simclr.contracts.EvalKind;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.core.run.CheckpointMeta;
import dev.simclr.engine.train.Classification;
import dev.simclr.engine.train.Evaluation;
import dev.simclr.contracts.Precision;
import dev.simclr.engine.precision.Autocast;
import dev.simclr.engine.precision.Precisions;
import dev.simclr.engine.train.Features;
import dev.simclr.engine.train.LinearEvaluation;
import dev.simclr.engine.train.LoopSettings;
import dev.simclr.engine.train.Normalization;
import dev.simclr.engine.train.TrainingLoop;
import dev.simclr.core.store.ObjectStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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
        Optional<RunSlice.Outcome> done = Slices.alreadyDone(runs, r.runId());
        if (done.isPresent()) {
            return done.get();
        }
        double cpu0 = Slices.processCpuSeconds();
        DatasetManifest manifest = datasets.requireManifest(r.dataset().name(), r.dataset().version());
        int classes = manifest.classNames().size();
        LabelledImages train = datasets.loadLabelled(r.dataset().name(), r.dataset().version(), "train", "evaluation");
        LabelledImages test = manifest.splits().containsKey(DatasetStore.TEST_SPLIT)
                ? datasets.loadLabelled(r.dataset().name(), r.dataset().version(), DatasetStore.TEST_SPLIT,
                "evaluation") : train;
        Map<String, Double> metrics = new LinkedHashMap<>();
        Precision used = null; // raw pixels: no network, no precision
        List<String> degenerate;
        try (NDManager manager = NDManager.newBaseManager(Device.fromName(device))) {
            Evaluation e;
            Precision resolved = Precisions.resolve(r.precisionOrDefault(), manager.getDevice().isGpu());
            LabelledImages fitted = train; // what the scored model was fitted on
            if (r.kind() == EvalKind.TEST_ACCURACY) {
                Checkpoint c = runs.loadByKey("checkpoint", r.checkpoint());
                FrozenEncoder.requireFits(CheckpointMeta.of(c), train, r.dataset().name());
                e = testAccuracy(c, train, test, Normalization.of(CheckpointMeta.of(c).normalization()), resolved,
                        manager);
                used = Autocast.effective(resolved);
            } else {
                // the head's learning rate is chosen on a validation split carved from train; test is read once
                Holdout holdout = Holdout.of(train, classes);
                float[] fit;
                float[] validation;
                float[] scored;
                int dim;
                if (r.kind() == EvalKind.PIXELS) {
                    fit = LinearEvaluation.pixels(holdout.train());
                    validation = LinearEvaluation.pixels(holdout.validation());
                    scored = LinearEvaluation.pixels(test);
                    dim = train.imageBytes();
                } else {
                    Checkpoint c = runs.loadByKey("checkpoint", r.checkpoint());
                    CheckpointMeta info = CheckpointMeta.of(c);
                    FrozenEncoder.requireFits(info, train, r.dataset().name());
                    Normalization norm = Normalization.of(info.normalization());
                    Network encoder = FrozenEncoder.load(c, info, train, manager);
                    // features in the requested precision, fp32 out; the logistic regression stays fp32
                    NDArray f = Features.of(encoder, norm, holdout.train(), manager, resolved);
                    dim = (int) f.getShape().get(1);
                    fit = f.toFloatArray();
                    validation = Features.of(encoder, norm, holdout.validation(), manager, resolved).toFloatArray();
                    scored = Features.of(encoder, norm, test, manager, resolved).toFloatArray();
                    used = Autocast.effective(resolved);
                }
                List<LoopSettings> candidates = EvalRequested.HEAD_LEARNING_RATES.stream()
                        .map(lr -> settings(r, lr)).toList();
                try (LinearEvaluation.Chosen chosen = LinearEvaluation.chooseOnValidation(candidates, fit,
                        holdout.train().labels(), validation, holdout.validation().labels(), dim, classes, manager)) {
                    e = chosen.head().evaluate(scored, test.labels());
                    metrics.put("headLearningRate", chosen.settings().learningRate());
                    metrics.put("validationTop1", chosen.validationTop1());
                    fitted = holdout.train();
                    metrics.put("validationImages", (double) holdout.validation().count());
                }
            }
            metrics.put("top1", e.top1());
            if (e.top5() != null) {
                metrics.put("top5", e.top5());
            }
            metrics.put("classes", (double) classes);
            metrics.put("trainImages", (double) fitted.count());
            metrics.put("testImages", (double) test.count());
            metrics.put("predictedClasses", (double) e.predictedClasses());
            // a head chosen on validation is judged on its validation top-1; a test-accuracy run has none
            Double validationTop1 = metrics.get("validationTop1");
            degenerate = Degeneracy.classifier(0, validationTop1 != null ? "validation" : "test",
                    validationTop1 != null ? validationTop1 : e.top1(), classes, e.predictedClasses(), -1);
        }
        Map<String, Double> finite = Degeneracy.finite(metrics, degenerate);
        RunCompleted completed = new RunCompleted(1, r.experimentId(), r.runId(), Stage.EVAL, null, finite,
                Slices.processCpuSeconds() - cpu0, Instant.now(), used).withDegenerate(degenerate);
        runs.saveResult(r.runId(), dev.simclr.contracts.EventCodec.encode(completed));
        return new RunSlice.Outcome(completed, 0, 0, false);
    }

    private static LoopSettings settings(EvalRequested r, double learningRate) {
        // logistic regression: Adam, no warm-up, cosine decay, a little weight decay
        return new LoopSettings(r.batchSize(), r.epochs(), r.seed(), OptimizerName.ADAM, learningRate, 0.9, 1e-4, false,
                0, LrScaling.NONE, 0);
    }

    private static Evaluation testAccuracy(Checkpoint c, LabelledImages train, LabelledImages test,
                                           Normalization norm, Precision precision, NDManager manager) {
        CheckpointMeta info = CheckpointMeta.of(c);
        if (!info.isClassifier()) {
            throw new IllegalArgumentException("checkpoint: test-accuracy needs a classifier checkpoint, this is a "
                    + info.kind() + " checkpoint");
        }
        Classification.Spec spec = Checkpoint.JSON.convertValue(c.meta().get("spec"), Classification.Spec.class);
        LoopSettings any = new LoopSettings(2, 1, 0, OptimizerName.SGD, 0.1, 0, 0, false, 0, LrScaling.NONE, 0);
        try (Classification model = new Classification(any, spec, train, norm, null, manager)) {
            model.precision(precision);
            TrainingLoop.loadNetwork(model.encoder(), c.network("encoder"), "encoder");
            TrainingLoop.loadNetwork(model.head(), c.network("classifier"), "classifier");
            return model.evaluate(test);
        }
    }
}
