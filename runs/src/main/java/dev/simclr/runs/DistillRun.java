package dev.simclr.runs;

import dev.simclr.core.run.RunSlice;
import dev.simclr.core.run.RunStore;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.DistillRequested;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.core.dataset.DatasetManifest;
import dev.simclr.core.dataset.Holdout;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.model.Encoders;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.core.run.CheckpointMeta;
import dev.simclr.engine.train.Distillation;
import dev.simclr.engine.precision.Precisions;
import dev.simclr.engine.train.Evaluation;
import dev.simclr.engine.train.LoopSettings;
import dev.simclr.engine.train.Normalization;
import dev.simclr.core.store.ObjectStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One slice of a distillation run (see {@link RunSlice}): teacher from a fine-tuned checkpoint, its logits computed
 * once for the unlabelled images, the student trained on {@code (1-α)·T²·KL + α·CE} and scored on the labelled test
 * split after each epoch; the run ends at its best epoch (early stopping), as the reference did.
 */
public final class DistillRun {
    private final RunStore runs;
    private final DatasetStore datasets;
    private final String device;
    private final int checkpointEverySteps;

    public DistillRun(ObjectStore store, String device, int checkpointEverySteps) {
        this.runs = new RunStore(store);
        this.datasets = new DatasetStore(store);
        this.device = device;
        this.checkpointEverySteps = checkpointEverySteps;
    }

    public RunSlice.Outcome run(DistillRequested r, RunSlice.Budget budget, RunSlice.Listener listener) {
        Optional<RunSlice.Outcome> done = Slices.alreadyDone(runs, r.runId());
        if (done.isPresent()) {
            return done.get();
        }
        Checkpoint teacher = runs.loadByKey("teacherCheckpoint", r.teacherCheckpoint());
        CheckpointMeta teacherInfo = CheckpointMeta.of(teacher);
        JsonNode teacherSpec = teacher.meta().path("spec");
        if (!teacherInfo.isClassifier()) {
            throw new IllegalArgumentException("teacherCheckpoint: " + r.teacherCheckpoint() + " is a "
                    + teacherInfo.kind() + " checkpoint, not a fine-tuned classifier");
        }
        DatasetManifest labelled = datasets.requireManifest(r.labelled().name(), r.labelled().version());
        int classes = labelled.classNames().size();
        if (teacherSpec.path("classes").asInt(classes) != classes) {
            throw new IllegalArgumentException("teacherCheckpoint: the teacher has " + teacherSpec.path("classes")
                    .asInt() + " classes, " + r.labelled().name() + " has " + classes);
        }
        // the best epoch is chosen on a validation split carved from the labelled training split (never the test
        // split, which is read once, at the end); when the student learns from the same images, it does without them
        String use = "distillation's labelled side (validation and test)";
        Holdout holdout = Holdout.of(datasets.loadLabelled(r.labelled().name(), r.labelled().version(), "train", use),
                classes);
        LabelledImages validation = holdout.validation();
        LabelledImages train = r.unlabelled().equals(r.labelled()) ? holdout.train()
                : datasets.load(r.unlabelled().name(), r.unlabelled().version(), "train");
        LabelledImages test = labelled.splits().containsKey(DatasetStore.TEST_SPLIT)
                ? datasets.loadLabelled(r.labelled().name(), r.labelled().version(), DatasetStore.TEST_SPLIT, use)
                : null;
        int teacherChannels = teacherInfo.inChannels() != null ? teacherInfo.inChannels() : train.channels();
        if (teacherChannels != train.channels() || validation.channels() != train.channels()) {
            throw new IllegalArgumentException("unlabelled/labelled: the teacher takes " + teacherChannels
                    + "-channel images, the datasets have " + train.channels() + " and " + validation.channels());
        }
        Encoders.requireInputSize("student", r.student().family(), r.student().depth(), train.height(),
                train.width());
        Normalization norm = teacherInfo.normalization() != null ? Normalization.of(teacherInfo.normalization())
                : Normalization.of(train.pixels(), train.channels());
        LoopSettings settings = new LoopSettings(r.batchSize(), r.epochs(), r.seed(), r.optimizer().name(),
                r.optimizer().learningRate(), r.optimizer().momentum(), r.optimizer().weightDecay(),
                r.optimizer().nesterov(), r.optimizer().warmupEpochs(), r.optimizer().lrScaling(),
                checkpointEverySteps);
        Distillation.Spec spec = new Distillation.Spec(r.student().family(), r.student().depth(), r.student().width(),
                r.mode(), r.denseHidden(), r.temperature(), r.alpha(), r.patienceEpochs(), classes);
        Optional<RunStore.Latest> latest = runs.latest(r.runId());
        try (NDManager manager = NDManager.newBaseManager(Device.fromName(device))) {
            Distillation loop = new Distillation(settings, spec, teacher, train, validation, norm, null, manager);
            if (r.studentCheckpoint() != null) {
                Checkpoint base = runs.loadByKey("studentCheckpoint", r.studentCheckpoint());
                EncoderSpec held = CheckpointMeta.of(base).encoder();
                if (!held.equals(r.student())) {
                    throw new IllegalArgumentException("studentCheckpoint: it holds a " + CheckpointMeta.describe(held)
                            + " encoder, the student is " + CheckpointMeta.describe(r.student()));
                }
                loop.loadStudentEncoder(base);
            }
            // auto resolves on this worker; a resumed run keeps the precision its checkpoint records
            loop.precision(Precisions.resolve(r.precisionOrDefault(), manager.getDevice().isGpu()));
            if (latest.isPresent()) {
                loop.restore(runs.load(latest.get()));
            }
            boolean finished = Slices.train(runs, r.runId(), loop, budget, listener,
                    latest.map(RunStore.Latest::cpuSeconds).orElse(0.0), step -> { });
            if (!finished) {
                return new RunSlice.Outcome(null, loop.step(), loop.totalSteps(), false);
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            loop.selection().metrics(metrics);
            metrics.put("validationImages", (double) validation.count());
            // the student's size: all of it (encoder + head) and what distillation trained (the head alone on a
            // frozen base)
            metrics.put("parameters", (double) loop.parameterCount(false));
            metrics.put("trainableParameters", (double) loop.parameterCount(true));
            Integer predicted = null;
            if (test != null) {
                // the test split, once: the chosen student's score and the teacher's
                Evaluation student = loop.evaluate(test);
                metrics.put("top1", student.top1());
                if (student.top5() != null) {
                    metrics.put("top5", student.top5());
                }
                metrics.put("teacherTop1", loop.evaluateTeacher(test).top1());
                predicted = student.predictedClasses();
                metrics.put("predictedClasses", (double) predicted);
            }
            metrics.put("loss", loop.lastLoss());
            List<String> degenerate = Degeneracy.classifier(loop.lastLoss(), "validation",
                    loop.bestAccuracy() < 0 ? null : loop.bestAccuracy(), classes, predicted, loop.nonFiniteLossStep());
            RunCompleted completed = Slices.finish(runs, r.experimentId(), r.runId(), Stage.DISTILL, loop, metrics,
                    degenerate);
            return new RunSlice.Outcome(completed, loop.step(), loop.totalSteps(), false);
        }
    }
}
