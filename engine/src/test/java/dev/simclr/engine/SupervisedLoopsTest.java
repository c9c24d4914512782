package dev.simclr.engine;

import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.DistillMode;
import dev.simclr.contracts.EncoderFamily;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.npy.Npy;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.engine.train.Classification;
import dev.simclr.engine.train.Distillation;
import dev.simclr.core.run.EncoderExport;
import dev.simclr.engine.train.Evaluation;
import dev.simclr.engine.train.Features;
import dev.simclr.engine.train.KnnMonitor;
import dev.simclr.engine.train.LinearEvaluation;
import dev.simclr.engine.train.LoopSettings;
import dev.simclr.engine.train.Normalization;
import dev.simclr.engine.train.Pretraining;
import dev.simclr.engine.train.RunListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fine-tuning, distillation, linear evaluation, kNN and export on the tiny synthetic images. */
class SupervisedLoopsTest {
    static final LoopSettings SUPERVISED = new LoopSettings(16, 8, 11, OptimizerName.ADAM, 0.01, 0.9, 0, false, 0, LrScaling.NONE, 0);

    static Checkpoint pretrained(NDManager m) {
        try (Pretraining p = PretrainingTest.loop(PretrainingTest.SETTINGS, m)) {
            p.run(RunListener.NONE);
            return p.checkpoint();
        }
    }

    @Test
    void fineTuningFromAPretrainedEncoderLearnsTheClassesAndReportsAllMetrics() {
        LabelledImages images = PretrainingTest.images();
        Normalization norm = Normalization.of(images.pixels(), 1);
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint pre = pretrained(m);
            var spec = new Classification.Spec(EncoderFamily.RESNET, 18, 0.125, List.of(), false, 4);
            try (Classification fine = new Classification(SUPERVISED, spec, images, norm, null, m)) {
                fine.loadEncoder(pre);
                float[] before = fine.encoder().state().values().iterator().next();
                assertThat(before).isEqualTo(pre.network("encoder").values().iterator().next().asFloats());
                fine.run(RunListener.NONE);
                Evaluation e = fine.evaluate(images);
                assertThat(e.top1()).as("training accuracy after fine-tuning").isGreaterThan(0.9);
                assertThat(e.top5()).isNull();
                assertThat(e.perClass()).hasSize(4);
                assertThat(e.confusion()[0][0] + e.confusion()[0][1] + e.confusion()[0][2] + e.confusion()[0][3])
                        .isEqualTo(16);
            }
        }
    }

    @Test
    void aFrozenEncoderDoesNotChangeWhileItsHeadLearns() {
        LabelledImages images = PretrainingTest.images();
        Normalization norm = Normalization.of(images.pixels(), 1);
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint pre = pretrained(m);
            var spec = new Classification.Spec(EncoderFamily.RESNET, 18, 0.125, List.of(32), true, 4);
            try (Classification frozen = new Classification(SUPERVISED, spec, images, norm, null, m)) {
                frozen.loadEncoder(pre);
                var encoderBefore = frozen.encoder().state();
                var headBefore = frozen.head().state();
                frozen.run(RunListener.NONE);
                var encoderAfter = frozen.encoder().state();
                encoderBefore.forEach((k, v) -> assertThat(encoderAfter.get(k)).as(k).isEqualTo(v));
                assertThat(frozen.head().state().values().iterator().next())
                        .isNotEqualTo(headBefore.values().iterator().next());
            }
        }
    }

    /**
     * A fine-tune to its best validation epoch within a cap keeps the weights of the epoch that scored best on
     * validation — the same trajectory trained epoch by epoch without selection says which one that is — and stops
     * after its patience.
     */
    @Test
    void aBestValidationFineTuneKeepsTheBestEpochAndStopsAfterItsPatience() {
        LabelledImages all = PretrainingTest.images();
        dev.simclr.core.dataset.Holdout holdout = dev.simclr.core.dataset.Holdout.of(all, 4);
        LabelledImages train = holdout.train();
        LabelledImages validation = holdout.validation();
        Normalization norm = Normalization.of(train.pixels(), 1);
        LoopSettings cap = new LoopSettings(16, 12, 5, OptimizerName.ADAM, 0.003, 0.9, 0, false, 0, LrScaling.NONE, 0);
        int patience = 2;
        var spec = new Classification.Spec(EncoderFamily.RESNET, 18, 0.125, List.of(), false, 4);
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint pre = pretrained(m);
            // the reference trajectory: the same loop without selection, its validation top-1 after every epoch
            List<Double> perEpoch = new java.util.ArrayList<>();
            try (Classification plain = new Classification(cap, spec, train, norm, null, m)) {
                plain.loadEncoder(pre);
                long[] at = {0};
                RunListener everyEpoch = new RunListener() {
                    @Override
                    public void progress(dev.simclr.core.run.Progress p) {
                        at[0] = p.step();
                    }

                    @Override
                    public boolean stopRequested() {
                        return at[0] % plain.stepsPerEpoch() == 0;
                    }
                };
                while (plain.step() < plain.totalSteps()) {
                    plain.run(everyEpoch);
                    perEpoch.add(plain.evaluate(validation).top1());
                }
            }
            try (Classification selected = new Classification(cap, spec, train, norm, null, m)
                    .selectOn(validation, patience)) {
                selected.loadEncoder(pre);
                selected.run(RunListener.NONE);
                var best = selected.selection();
                int trained = best.epochsTrained();
                List<Double> seen = perEpoch.subList(0, trained);
                double max = seen.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                assertThat(best.bestEpoch()).as("validation top-1 per epoch %s", perEpoch).isEqualTo(seen.indexOf(max));
                assertThat(best.bestAccuracy()).isEqualTo(max);
                assertThat(selected.evaluate(validation).top1()).as("the kept weights are the best epoch's")
                        .isEqualTo(max);
                assertThat(trained == cap.epochs() || trained - 1 - best.bestEpoch() == patience)
                        .as("trained %d epochs, best %d, patience %d", trained, best.bestEpoch(), patience).isTrue();
                Checkpoint c = Checkpoint.fromBytes(selected.checkpoint().toBytes());
                assertThat(c.meta().get("bestEpoch").asInt()).isEqualTo(best.bestEpoch());
                assertThat(c.meta().get("epochsTrained").asInt()).isEqualTo(trained);
            }
        }
    }

    @Test
    void distillationIntoAVggStudentFollowsTheTeacherAndKeepsItsBestEpoch() {
        LabelledImages images = upsampled(PretrainingTest.images()); // VGG's four pools need 16x16
        Normalization norm = Normalization.of(images.pixels(), 1);
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint teacher;
            var spec = new Classification.Spec(EncoderFamily.RESNET, 18, 0.125, List.of(), false, 4);
            try (Classification fine = new Classification(SUPERVISED, spec, images, norm, null, m)) {
                fine.run(RunListener.NONE);
                teacher = fine.checkpoint();
            }
            var dSpec = new Distillation.Spec(EncoderFamily.VGG, 11, 0.125, DistillMode.FULL, List.of(), 4.0, 0.0, 3, 4);
            try (Distillation d = new Distillation(SUPERVISED.withEpochs(10), dSpec, teacher, images, images, norm,
                    null, m)) {
                d.run(RunListener.NONE);
                double teacherAcc = d.evaluateTeacher(images).top1();
                assertThat(d.bestAccuracy()).isEqualTo(d.evaluate(images).top1());
                assertThat(d.bestAccuracy()).as("student vs teacher %.2f", teacherAcc).isGreaterThan(0.7);
                Checkpoint c = Checkpoint.fromBytes(d.checkpoint().toBytes());
                assertThat(c.meta().get("bestValidationAccuracy").asDouble()).isEqualTo(d.bestAccuracy());
            }
        }
    }

    @Test
    void linearEvaluationAndKnnScoreFeaturesAndRawPixels() {
        LabelledImages images = PretrainingTest.images();
        Normalization norm = Normalization.of(images.pixels(), 1);
        LoopSettings linear = new LoopSettings(16, 20, 3, OptimizerName.ADAM, 0.05, 0.9, 1e-4, false, 0, LrScaling.NONE, 0);
        try (NDManager m = NDManager.newBaseManager(); Pretraining p = PretrainingTest.loop(
                PretrainingTest.SETTINGS, m)) {
            p.run(RunListener.NONE);
            try (LinearEvaluation onFeatures = LinearEvaluation.ofEncoder(linear, p.encoder(), norm, images, 4, m);
                 LinearEvaluation onPixels = LinearEvaluation.ofPixels(linear, images, 4, m)) {
                onFeatures.run(RunListener.NONE);
                onPixels.run(RunListener.NONE);
                assertThat(onFeatures.evaluateEncoder(p.encoder(), norm, images).top1()).isGreaterThan(0.9);
                assertThat(onPixels.evaluatePixels(images).top1()).isGreaterThan(0.9);
            }
            assertThat(KnnMonitor.accuracy(p.encoder(), norm, images, images, 4, 5, 0.1, m)).isGreaterThan(0.5);
        }
    }

    @Test
    void theHeadKeptIsTheOneBestOnValidationWhicheverOrderTheCandidatesCome() {
        LabelledImages images = PretrainingTest.images();
        float[] x = LinearEvaluation.pixels(images);
        int dim = images.imageBytes();
        LoopSettings learns = new LoopSettings(16, 5, 3, OptimizerName.ADAM, 0.01, 0.9, 0, false, 0, LrScaling.NONE, 0);
        LoopSettings stalls = new LoopSettings(16, 5, 3, OptimizerName.ADAM, 1e-7, 0.9, 0, false, 0, LrScaling.NONE, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            for (List<LoopSettings> order : List.of(List.of(learns, stalls), List.of(stalls, learns))) {
                try (LinearEvaluation.Chosen c = LinearEvaluation.chooseOnValidation(order, x, images.labels(), x,
                        images.labels(), dim, 4, m)) {
                    assertThat(c.settings()).isEqualTo(learns);
                    assertThat(c.validationTop1()).isGreaterThan(0.9)
                            .isEqualTo(c.head().evaluate(x, images.labels()).top1());
                }
            }
        }
    }

    @Test
    void exportedEncoderGivesTheSameFeaturesInPyTorch(@TempDir Path dir) throws Exception {
        assumeTrue(torchAvailable(), "python3-torch not installed");
        LabelledImages images = PretrainingTest.images();
        Normalization norm = Normalization.of(images.pixels(), 1);
        try (NDManager m = NDManager.newBaseManager(); Pretraining p = PretrainingTest.loop(
                PretrainingTest.SETTINGS, m)) {
            p.run(RunListener.NONE);
            Files.write(dir.resolve("encoder.npz"), EncoderExport.fromCheckpoint(p.checkpoint()));
            NDArray x = norm.toTensor(m, images.pixels(), images.count(), 8, 8, 1, p.encoder().channelsLast());
            Files.write(dir.resolve("images.npy"), Npy.write(Npy.float32(x.toFloatArray(), 64, 1, 8, 8)));
            float[] ours = Features.of(p.encoder(), norm, images, m).toFloatArray();
            Process py = new ProcessBuilder("/usr/bin/python3", repo().resolve("python/load_encoder.py").toString(),
                    dir.resolve("encoder.npz").toString(), dir.resolve("images.npy").toString(),
                    dir.resolve("features.npy").toString()).redirectErrorStream(true).start();
            String out = new String(py.getInputStream().readAllBytes());
            assertThat(py.waitFor()).as(out).isZero();
            float[] theirs = Npy.read(Files.readAllBytes(dir.resolve("features.npy"))).asFloats();
            EncodersTest.assertClose(theirs, ours, 1e-4);
        }
    }

    /** Each 8x8 image as 16x16 (nearest neighbour). */
    static LabelledImages upsampled(LabelledImages small) {
        byte[] px = new byte[small.count() * 256];
        for (int i = 0; i < small.count(); i++) {
            for (int y = 0; y < 16; y++) {
                for (int x = 0; x < 16; x++) {
                    px[i * 256 + y * 16 + x] = small.pixels()[i * 64 + (y / 2) * 8 + x / 2];
                }
            }
        }
        return new LabelledImages(16, 16, 1, px, small.labels());
    }

    static Path repo() {
        return Path.of(System.getProperty("simclr.repo.root", "..")).toAbsolutePath();
    }

    static boolean torchAvailable() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return false;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
