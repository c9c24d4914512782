package dev.simclr.runs;

import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.DistillMode;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.EvalKind;
import dev.simclr.core.run.RunSlice;
import dev.simclr.core.run.RunStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.simclr.contracts.AugmentRequested;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.DistillRequested;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.contracts.OptimizerSpec;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.core.augment.ShardWriter;
import dev.simclr.core.augment.ViewShards;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.PretrainingTest;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.TestInfrastructure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs sliced by time budget on the real S3 server: a run cut into many slices ends with the same checkpoint bytes
 * and metrics as one uninterrupted slice; views from augment-service's shards give the same run as in-process
 * augmentation; a fine-tune starts from the pretrain's checkpoint; distillation from the fine-tuned teacher into
 * ResNet and VGG students, full and frozen-base, ends on its best epoch whether sliced or not; a finished run is
 * never trained again.
 */
class RunsIT {
    static ObjectStore store;
    static DatasetRef dataset;
    static final OptimizerSpec SGD = new OptimizerSpec(OptimizerName.SGD, 0.1, 0.9, 1e-4, true, 1, LrScaling.NONE);
    static final TrainRun.Options OPTIONS = new TrainRun.Options("cpu", 2, 2, Duration.ofSeconds(30), 1, 64, 32);

    @BeforeAll
    static void publish() {
        store = new ObjectStore(TestInfrastructure.get());
        store.ensureBucket();
        LabelledImages images = doubled(PretrainingTest.images()); // 16×16: VGG needs 16 pixels a side
        String name = "runs-" + UUID.randomUUID().toString().substring(0, 8);
        new DatasetStore(store).publish(name, "v1", List.of("a", "b", "c", "d"),
                Map.of("train", images, "test", images), "test", 1000);
        dataset = new DatasetRef(name, "v1");
    }

    static LabelledImages doubled(LabelledImages small) {
        int h = small.height();
        int w = small.width();
        byte[] px = new byte[small.count() * 4 * h * w];
        for (int n = 0; n < small.count(); n++) {
            for (int y = 0; y < 2 * h; y++) {
                for (int x = 0; x < 2 * w; x++) {
                    px[(n * 2 * h + y) * 2 * w + x] = small.pixels()[(n * h + y / 2) * w + x / 2];
                }
            }
        }
        return new LabelledImages(2 * h, 2 * w, 1, px, small.labels());
    }

    static TrainRequested pretrain(String run, String viewsFrom) {
        return new TrainRequested(1, "exp", run, Stage.PRETRAIN, dataset, new EncoderSpec(EncoderFamily.RESNET, 18, 0.125), 2,
                "crop+flip", 1.0, 16, 3, SGD, 0.5, 7, false, null, viewsFrom);
    }

    static RunSlice.Outcome untilDone(TrainRun trainer, TrainRequested r, Duration slice, int[] slices) {
        return untilDone(budget -> trainer.run(r, budget, RunSlice.Listener.NONE), slice, slices);
    }

    /** Slices of {@code slice} until the run ends, counting them in {@code slices[0]}. */
    static RunSlice.Outcome untilDone(java.util.function.Function<RunSlice.Budget, RunSlice.Outcome> run,
                                      Duration slice, int[] slices) {
        while (true) {
            RunSlice.Outcome o = run.apply(RunSlice.Budget.of(slice));
            slices[0]++;
            if (o.done()) {
                return o;
            }
        }
    }

    @Test
    void aRunCutIntoSlicesEndsExactlyAsAnUninterruptedOne() {
        TrainRun trainer = new TrainRun(store, OPTIONS);
        int[] whole = {0};
        RunSlice.Outcome a = untilDone(trainer, pretrain("pretrain-" + UUID.randomUUID(), null), Duration.ofHours(1),
                whole);
        int[] sliced = {0};
        // a zero budget stops after every step: 12 steps become 12 slices, each restoring the last checkpoint
        RunSlice.Outcome b = untilDone(trainer, pretrain("pretrain-" + UUID.randomUUID(), null), Duration.ZERO,
                sliced);
        assertThat(whole[0]).isEqualTo(1);
        assertThat(sliced[0]).isEqualTo(12);
        assertThat(b.completed().metrics()).isEqualTo(a.completed().metrics());
        RunStore runs = new RunStore(store);
        assertThat(runs.latest(b.completed().runId()).orElseThrow().sha256())
                .isEqualTo(runs.latest(a.completed().runId()).orElseThrow().sha256());
        assertThat(a.completed().metrics()).containsKeys("loss", "knnAccuracy");
        assertThat(store.exists(RunStore.encoderKey(a.completed().runId()))).isTrue();

        // delivered again: acknowledged from the stored result, nothing trained
        RunSlice.Outcome again = trainer.run(pretrain(a.completed().runId(), null), RunSlice.Budget.of(Duration.ZERO),
                RunSlice.Listener.NONE);
        assertThat(again.alreadyDone()).isTrue();
        assertThat(again.completed()).isEqualTo(a.completed());

        // fine-tune from the pretrained checkpoint on half the labels
        TrainRequested finetune = new TrainRequested(1, "exp", "finetune-" + UUID.randomUUID(), Stage.FINETUNE,
                dataset, new EncoderSpec(EncoderFamily.RESNET, 18, 0.125), 2, "crop+flip", 0.5, 8, 2, SGD, 0.5, 7, false,
                a.completed().checkpointKey(), null);
        RunSlice.Outcome tuned = untilDone(trainer, finetune, Duration.ofHours(1), new int[1]);
        assertThat(tuned.completed().metrics()).containsKeys("top1", "loss").containsEntry("trainImages", 32.0);
        assertThat(tuned.completed().metrics().get("top1")).isBetween(0.0, 1.0);

        EvalRun evaluator = new EvalRun(store, "cpu");
        for (EvalKind kind : List.of(EvalKind.LINEAR, EvalKind.PIXELS, EvalKind.TEST_ACCURACY)) {
            String checkpoint = switch (kind) {
                case LINEAR -> a.completed().checkpointKey();
                case TEST_ACCURACY -> tuned.completed().checkpointKey();
                default -> "";
            };
            RunSlice.Outcome e = evaluator.run(new EvalRequested(1, "exp", "eval-" + UUID.randomUUID(), kind,
                    checkpoint, dataset, 16, 5, 3));
            assertThat(e.completed().metrics()).as(kind.wireName()).containsKey("top1").containsEntry("classes", 4.0);
            if (kind == EvalKind.TEST_ACCURACY) {
                assertThat(e.completed().metrics().get("top1")).isEqualTo(tuned.completed().metrics().get("top1"));
            }
        }
        assertThatThrownBy(() -> evaluator.run(new EvalRequested(1, "exp", "eval-" + UUID.randomUUID(),
                EvalKind.TEST_ACCURACY, a.completed().checkpointKey(), dataset, 16, 5, 3)))
                .hasMessageContaining("needs a classifier checkpoint");

        DistillRun distiller = new DistillRun(store, "cpu", 0);
        for (var student : List.of(new EncoderSpec(EncoderFamily.RESNET, 18, 0.125), new EncoderSpec(EncoderFamily.VGG, 11, 0.125))) {
            for (DistillMode mode : DistillMode.values()) {
                DistillRequested d = distill("distill-" + UUID.randomUUID(), tuned.completed().checkpointKey(),
                        student, mode, mode == DistillMode.FROZEN_BASE && EncoderFamily.RESNET.equals(student.family())
                                ? a.completed().checkpointKey() : null);
                RunSlice.Outcome o = untilDistilled(distiller, d, Duration.ofHours(1), new int[1]);
                assertThat(o.completed().metrics()).containsKeys("top1", "teacherTop1", "bestEpoch");
                assertThat(o.completed().stage()).isEqualTo(Stage.DISTILL);
            }
        }
        // sliced after every step, a distillation ends on the same best student as an uninterrupted one
        EncoderSpec vgg = new EncoderSpec(EncoderFamily.VGG, 11, 0.125);
        RunSlice.Outcome whole2 = untilDistilled(distiller, distill("distill-" + UUID.randomUUID(),
                tuned.completed().checkpointKey(), vgg, DistillMode.FULL, null), Duration.ofHours(1), new int[1]);
        int[] slices = {0};
        RunSlice.Outcome sliced2 = untilDistilled(distiller, distill("distill-" + UUID.randomUUID(),
                tuned.completed().checkpointKey(), vgg, DistillMode.FULL, null), Duration.ZERO, slices);
        assertThat(slices[0]).isGreaterThan(3);
        assertThat(sliced2.completed().metrics()).isEqualTo(whole2.completed().metrics());

        // a base of another architecture is named as such; a pretrain checkpoint is no teacher
        assertThatThrownBy(() -> distiller.run(distill("distill-" + UUID.randomUUID(), tuned.completed().checkpointKey(),
                vgg, DistillMode.FROZEN_BASE, a.completed().checkpointKey()), RunSlice.Budget.of(Duration.ZERO),
                RunSlice.Listener.NONE)).hasMessageContaining("studentCheckpoint: it holds a resnet18");
        assertThatThrownBy(() -> distiller.run(distill("distill-" + UUID.randomUUID(), a.completed().checkpointKey(),
                vgg, DistillMode.FULL, null), RunSlice.Budget.of(Duration.ZERO), RunSlice.Listener.NONE))
                .hasMessageContaining("teacherCheckpoint").hasMessageContaining("not a fine-tuned classifier");
    }

    /**
     * The test split is read once, for the final score, never to choose: the same distillation against a copy of the
     * dataset whose test labels are permuted picks the same epoch, reaches the same validation accuracy and ends on
     * the same student; only the test score moves.
     */
    @Test
    void theTestSplitCannotInfluenceTheChosenEpoch() {
        LabelledImages train = new DatasetStore(store).load(dataset.name(), dataset.version(), "train");
        long[] permuted = train.labels().clone();
        for (int i = 0; i < permuted.length; i++) {
            permuted[i] = (permuted[i] + 1) % 4;
        }
        String name = "runs-permuted-" + UUID.randomUUID().toString().substring(0, 8);
        new DatasetStore(store).publish(name, "v1", List.of("a", "b", "c", "d"), Map.of("train", train, "test",
                new LabelledImages(train.height(), train.width(), 1, train.pixels(), permuted)), "test", 1000);
        DatasetRef other = new DatasetRef(name, "v1");

        TrainRun trainer = new TrainRun(store, OPTIONS);
        RunSlice.Outcome a = untilDone(trainer, pretrain("pretrain-" + UUID.randomUUID(), null), Duration.ofHours(1),
                new int[1]);
        RunSlice.Outcome tuned = untilDone(trainer, new TrainRequested(1, "exp", "finetune-" + UUID.randomUUID(),
                Stage.FINETUNE, dataset, new EncoderSpec(EncoderFamily.RESNET, 18, 0.125), 2, "crop", 1.0, 8, 2, SGD,
                0.5, 7, false, a.completed().checkpointKey(), null), Duration.ofHours(1), new int[1]);
        DistillRun distiller = new DistillRun(store, "cpu", 0);
        EncoderSpec student = new EncoderSpec(EncoderFamily.RESNET, 18, 0.125);
        RunSlice.Outcome onTrue = untilDistilled(distiller, distill("distill-" + UUID.randomUUID(),
                tuned.completed().checkpointKey(), student, DistillMode.FULL, null), Duration.ofHours(1), new int[1]);
        DistillRequested d = distill("distill-" + UUID.randomUUID(), tuned.completed().checkpointKey(), student,
                DistillMode.FULL, null);
        DistillRequested onOther = new DistillRequested(d.schemaVersion(), d.experimentId(), d.runId(),
                d.teacherCheckpoint(), d.student(), d.mode(), d.denseHidden(), d.temperature(), d.alpha(), other,
                other, d.batchSize(), d.epochs(), d.patienceEpochs(), d.optimizer(), d.seed(), d.studentCheckpoint());
        RunSlice.Outcome onPermuted = untilDistilled(distiller, onOther, Duration.ofHours(1), new int[1]);

        Map<String, Double> m1 = onTrue.completed().metrics();
        Map<String, Double> m2 = onPermuted.completed().metrics();
        assertThat(m1).containsKeys("top1", "validationTop1", "validationImages", "bestEpoch");
        assertThat(m2.get("bestEpoch")).isEqualTo(m1.get("bestEpoch"));
        assertThat(m2.get("validationTop1")).isEqualTo(m1.get("validationTop1"));
        assertThat(m1.get("validationImages")).isEqualTo(8.0); // 10 % of each class's 16 training images, rounded
        RunStore runs = new RunStore(store);
        assertThat(runs.latest(onPermuted.completed().runId()).orElseThrow().sha256())
                .isEqualTo(runs.latest(onTrue.completed().runId()).orElseThrow().sha256());

        // a fine-tune to its best validation epoch, too: the same epoch, validation score and weights whatever the
        // test labels say; the cap is not all trained once patience runs out
        RunSlice.Outcome onTrueTest = untilDone(trainer, bestValidation(dataset, a.completed().checkpointKey()),
                Duration.ofHours(1), new int[1]);
        Map<String, Double> f1 = onTrueTest.completed().metrics();
        RunSlice.Outcome onOtherTest = untilDone(trainer, bestValidation(other, a.completed().checkpointKey()),
                Duration.ofHours(1), new int[1]);
        Map<String, Double> f2 = onOtherTest.completed().metrics();
        assertThat(f1).containsKeys("top1", "validationTop1", "bestEpoch", "epochsTrained")
                .containsEntry("validationImages", 8.0).containsEntry("trainImages", 56.0);
        assertThat(f2.get("bestEpoch")).isEqualTo(f1.get("bestEpoch"));
        assertThat(f2.get("validationTop1")).isEqualTo(f1.get("validationTop1"));
        assertThat(f1.get("epochsTrained")).isLessThanOrEqualTo(12.0);
        assertThat(f1.get("steps")).isEqualTo(f1.get("epochsTrained") * 7); // 56 images, batch 8
        assertThat(runs.latest(onOtherTest.completed().runId()).orElseThrow().sha256()).isEqualTo(runs.latest(
                onTrueTest.completed().runId()).orElseThrow().sha256());
        // sliced after every step, it ends on the same epoch and weights: the best so far travels in each checkpoint
        int[] slices = {0};
        RunSlice.Outcome sliced = untilDone(trainer, bestValidation(dataset, a.completed().checkpointKey()),
                Duration.ZERO, slices);
        assertThat(slices[0]).isGreaterThan(7);
        assertThat(sliced.completed().metrics()).isEqualTo(f1);
        assertThat(runs.latest(sliced.completed().runId()).orElseThrow().sha256()).isEqualTo(runs.latest(
                onTrueTest.completed().runId()).orElseThrow().sha256());

        // a linear evaluation's learning rate, too, is chosen on validation, whatever the test labels say
        EvalRun evaluator = new EvalRun(store, "cpu");
        for (EvalKind kind : List.of(EvalKind.LINEAR, EvalKind.PIXELS)) {
            String checkpoint = kind == EvalKind.LINEAR ? a.completed().checkpointKey() : "";
            Map<String, Double> e1 = evaluator.run(new EvalRequested(1, "exp", "eval-" + UUID.randomUUID(), kind,
                    checkpoint, dataset, 16, 5, 3)).completed().metrics();
            Map<String, Double> e2 = evaluator.run(new EvalRequested(1, "exp", "eval-" + UUID.randomUUID(), kind,
                    checkpoint, other, 16, 5, 3)).completed().metrics();
            assertThat(e1).as(kind.wireName()).containsKeys("headLearningRate", "validationTop1")
                    .containsEntry("validationImages", 8.0).containsEntry("trainImages", 56.0);
            assertThat(EvalRequested.HEAD_LEARNING_RATES).contains(e1.get("headLearningRate"));
            assertThat(e2.get("headLearningRate")).as(kind.wireName()).isEqualTo(e1.get("headLearningRate"));
            assertThat(e2.get("validationTop1")).as(kind.wireName()).isEqualTo(e1.get("validationTop1"));
        }
    }

    /**
     * A fine-tune of up to 12 epochs to its best validation epoch, patience 2; policy none, since augmented views are
     * seeded by the dataset's name too, and the two datasets compared differ in name.
     */
    static TrainRequested bestValidation(DatasetRef on, String pretrained) {
        return new TrainRequested(1, "exp", "finetune-" + UUID.randomUUID(), Stage.FINETUNE, on, new EncoderSpec(EncoderFamily.RESNET, 18, 0.125),
                2, "none", 1.0, 8, 12, SGD, 0.5, 7, false, pretrained, null, null, 2);
    }

    static DistillRequested distill(String run, String teacher, EncoderSpec student, DistillMode mode, String base) {
        return new DistillRequested(1, "exp", run, teacher, student, mode, List.of(16), 4.0, 0.0, dataset, dataset, 16,
                4, 2, new OptimizerSpec(OptimizerName.ADAM, 0.01, 0.9, 0, false, 0, LrScaling.NONE), 3, base);
    }

    static RunSlice.Outcome untilDistilled(DistillRun d, DistillRequested r, Duration slice, int[] slices) {
        return untilDone(budget -> d.run(r, budget, RunSlice.Listener.NONE), slice, slices);
    }

    @Test
    void viewsFromAugmentServiceShardsTrainTheSameRunAsInProcessAugmentation() throws Exception {
        String views = "augment-" + UUID.randomUUID();
        AugmentRequested augment = new AugmentRequested(1, "exp", views, dataset, "train", "crop+flip", 3, 7, 2, 20,
                3, null, null);
        assertThat(new ShardWriter(store, 2).run(augment, Duration.ofMinutes(1), null).runDone()).isTrue();
        TrainRun trainer = new TrainRun(store, OPTIONS);
        RunSlice.Outcome fed = untilDone(trainer, pretrain("pretrain-" + UUID.randomUUID(), views), Duration.ofHours(1),
                new int[1]);
        RunSlice.Outcome local = untilDone(trainer, pretrain("pretrain-" + UUID.randomUUID(), null), Duration.ofHours(1),
                new int[1]);
        RunStore runs = new RunStore(store);
        assertThat(runs.latest(fed.completed().runId()).orElseThrow().sha256())
                .isEqualTo(runs.latest(local.completed().runId()).orElseThrow().sha256());
        // consumed epochs were released: the shards are gone and the cursor is past the last epoch
        assertThat(store.list(ViewShards.prefix(views)).stream().filter(k -> k.endsWith(".npz"))).isEmpty();
        assertThat(ViewShards.cursor(store, views)).isEqualTo(3);
    }

    @Test
    void aMissingOrBrokenInitialCheckpointIsNamed() {
        TrainRun trainer = new TrainRun(store, OPTIONS);
        TrainRequested missing = new TrainRequested(1, "exp", "finetune-" + UUID.randomUUID(), Stage.FINETUNE,
                dataset, new EncoderSpec(EncoderFamily.RESNET, 18, 0.125), 2, "none", 1.0, 8, 1, SGD, 0.5, 7, false,
                "runs/nobody/checkpoints/step-0000000001.npz", null);
        assertThatThrownBy(() -> trainer.run(missing, RunSlice.Budget.of(Duration.ZERO), RunSlice.Listener.NONE))
                .hasMessageContaining("initialCheckpoint").hasMessageContaining("does not exist");
        String junk = "runs/junk-" + UUID.randomUUID() + "/checkpoint.npz";
        store.put(junk, new byte[] {1, 2, 3}, "application/x-npz");
        TrainRequested broken = new TrainRequested(1, "exp", "finetune-" + UUID.randomUUID(), Stage.FINETUNE,
                dataset, new EncoderSpec(EncoderFamily.RESNET, 18, 0.125), 2, "none", 1.0, 8, 1, SGD, 0.5, 7, false, junk, null);
        assertThatThrownBy(() -> trainer.run(broken, RunSlice.Budget.of(Duration.ZERO), RunSlice.Listener.NONE))
                .hasMessageContaining("initialCheckpoint").hasMessageContaining("not a checkpoint");
    }
}
