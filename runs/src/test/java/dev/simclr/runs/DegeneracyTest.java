package dev.simclr.runs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;
import dev.simclr.core.augment.AugmentPolicy;
import dev.simclr.core.augment.Augmenter;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.dataset.IdxReader;
import dev.simclr.core.dataset.Importers;
import dev.simclr.engine.train.LoopSettings;
import dev.simclr.engine.train.Normalization;
import dev.simclr.engine.train.Pretraining;
import dev.simclr.engine.train.RunListener;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The health checks: each threshold on numbers either side of it, and on real tiny pretrainings judged as
 * {@link TrainRun} judges them — a healthy one passes, one at an absurd learning rate ends degenerate with its reason
 * (on this CPU: a NaN loss at its third step; the run stops there instead of training on NaN weights).
 */
class DegeneracyTest {
    static final int CLASSES = 10;

    @Test
    void aPretrainingIsJudgedByItsLossItsEmbeddingsAndItsKnnAccuracy() {
        int d = 64;
        double healthyStd = 0.07 / Math.sqrt(d); // what a healthy short run measured
        assertThat(Degeneracy.pretraining(5.0, 256, healthyStd, d, 0.7, 10, -1)).isEmpty();
        assertThat(Degeneracy.pretraining(6.83, 256, healthyStd, d, 0.7, 10, -1)).singleElement()
                .asString().startsWith("loss: final NT-Xent loss 6.830").contains("ln(2N − 1) = 6.236");
        assertThat(Degeneracy.pretraining(6.20, 256, healthyStd, d, 0.7, 10, -1)).as("within 0.05 below").hasSize(1);
        assertThat(Degeneracy.pretraining(6.18, 256, healthyStd, d, 0.7, 10, -1)).as("0.056 below").isEmpty();
        assertThat(Degeneracy.pretraining(5.0, 256, 0.01 / Math.sqrt(d), d, 0.7, 10, -1)).singleElement()
                .asString().startsWith("collapse:");
        assertThat(Degeneracy.pretraining(5.0, 256, healthyStd, d, 0.14, 10, -1)).singleElement()
                .asString().startsWith("knn:");
        assertThat(Degeneracy.pretraining(5.0, 256, null, d, null, 10, -1)).as("no monitor: loss only").isEmpty();
        assertThat(Degeneracy.pretraining(Double.NaN, 256, Double.NaN, d, 0.1, 10, 3))
                .anySatisfy(r -> assertThat(r).startsWith("non-finite: loss NaN at step 3"))
                .anySatisfy(r -> assertThat(r).startsWith("collapse:"));
    }

    @Test
    void aClassifierAtChanceOrConstantIsDegenerate() {
        assertThat(Degeneracy.classifier(0.5, "validation", 0.8, 10, 10, -1)).isEmpty();
        assertThat(Degeneracy.classifier(0.5, "validation", 0.100, 10, 1, -1))
                .anySatisfy(r -> assertThat(r).startsWith("chance: validation top-1 0.100"))
                .anySatisfy(r -> assertThat(r).startsWith("constant:"));
        assertThat(Degeneracy.classifier(0.5, "test", 0.119, 10, 7, -1)).hasSize(1);
        assertThat(Degeneracy.classifier(0.5, "test", 0.121, 10, 7, -1)).isEmpty();
        assertThat(Degeneracy.classifier(Double.POSITIVE_INFINITY, "test", 0.9, 10, 10, 5)).singleElement()
                .asString().startsWith("non-finite: loss Infinity at step 5");
    }

    @Test
    void nonFiniteMetricsAreLeftOutAndNamed() {
        List<String> reasons = new java.util.ArrayList<>();
        var m = new java.util.LinkedHashMap<String, Double>();
        m.put("loss", Double.NaN);
        m.put("top1", 0.5);
        assertThat(Degeneracy.finite(m, reasons)).containsOnlyKeys("top1");
        assertThat(reasons).containsExactly("non-finite: loss NaN (left out of the metrics)");
    }

    @Test
    void aDivergingPretrainingEndsDegenerateAndAHealthyOneDoesNot() {
        Judged healthy = pretrain(0.3);
        Judged diverged = pretrain(1e9);
        System.out.printf("healthy: %s%ndiverged: %s%n", healthy, diverged);
        assertThat(healthy.reasons()).as(healthy.toString()).isEmpty();
        assertThat(diverged.reasons()).as(diverged.toString()).isNotEmpty()
                .allSatisfy(r -> assertThat(r).containsAnyOf("non-finite", "loss:", "collapse:", "knn:"));
    }

    record Judged(double loss, long nonFiniteStep, Double std, int dim, Double knn, List<String> reasons) {}

    /**
     * A small pretraining — ResNet-18 ×0.25 on 1,024 Fashion-MNIST training images, batch 128, 2 epochs (16 steps),
     * crop+flip — with the kNN/collapse monitor on 256 other training images, judged as TrainRun judges it.
     */
    static Judged pretrain(double learningRate) {
        LabelledImages all = IdxReader.read(Importers.FASHION_MNIST_DIR.resolve("train-images-idx3-ubyte.gz"),
                Importers.FASHION_MNIST_DIR.resolve("train-labels-idx1-ubyte.gz"));
        LabelledImages images = all.select(IntStream.range(0, 1024).toArray());
        LabelledImages queries = all.select(IntStream.range(1024, 1280).toArray());
        LoopSettings settings = new LoopSettings(128, 2, 7, OptimizerName.SGD, learningRate, 0.9, 1e-6, true, 1,
                LrScaling.NONE, 0);
        try (NDManager m = NDManager.newBaseManager();
             Augmenter views = new Augmenter(images, AugmentPolicy.parse("crop+flip"), 7, "health", 2, 2);
             Pretraining p = new Pretraining(settings, new Pretraining.Spec(EncoderFamily.RESNET, 18, 0.25, 2, 0.2),
                     images, Normalization.of(images.pixels(), 1), views,
                     new Pretraining.Monitor(images, queries, CLASSES, 1), m)) {
            assertThat(p.run(RunListener.NONE)).isTrue();
            return new Judged(p.lastLoss(), p.nonFiniteLossStep(), p.lastEmbeddingStd(), p.embeddingDim(),
                    p.lastKnnAccuracy(), Degeneracy.pretraining(p.lastLoss(), 128, p.lastEmbeddingStd(),
                    p.embeddingDim(), p.lastKnnAccuracy(), CLASSES, p.nonFiniteLossStep()));
        }
    }
}
