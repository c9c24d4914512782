package dev.simclr.runs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.contracts.Precision;
import dev.simclr.engine.precision.Autocast;
import dev.simclr.engine.precision.Precisions;
import dev.simclr.engine.train.Features;
import dev.simclr.engine.train.LinearEvaluation;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;
import dev.simclr.core.augment.AugmentPolicy;
import dev.simclr.core.augment.Augmenter;
import dev.simclr.core.dataset.Holdout;
import dev.simclr.core.dataset.IdxReader;
import dev.simclr.core.dataset.Importers;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.run.Progress;
import dev.simclr.engine.train.LoopSettings;
import dev.simclr.engine.train.Normalization;
import dev.simclr.engine.train.Pretraining;
import dev.simclr.engine.train.RunListener;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Not part of the suite (no Test suffix): the health of a recipe's pretraining per seed, as {@link TrainRun} judges
 * it ({@link Degeneracy}) — final loss, kNN accuracy and embedding std per seed. Defaults: the distillation recipe's
 * cpu-scale VGG-11 ×0.25 student base on the whole Fashion-MNIST training split (SGD 0.5 Nesterov, warm-up 1 epoch,
 * T 0.2, batch 256, 4 epochs). Run with
 * {@code mvn -o -pl runs verify -Dtest=PretrainingHealthCheck -Dhealth.seeds=1,2 [-Dhealth.family=resnet
 * -Dhealth.depth=18 -Dhealth.epochs=4 -Dhealth.lr=0.5 -Dhealth.images=60000 -Dhealth.precision=bf16
 * -Dhealth.linear=true]}. With {@code health.linear}, each encoder is then scored as the transfer study scores it
 * ({@link EvalRun}): a logistic regression on its frozen features (in the pretraining's precision), the learning rate
 * chosen on a validation split carved from train, the test split read once — the figure bf16 and fp32 are compared on.
 */
class PretrainingHealthCheck {
    @Test
    void healthPerSeed() {
        EncoderFamily family = EncoderFamily.valueOf(System.getProperty("health.family", "vgg").toUpperCase());
        int depth = Integer.getInteger("health.depth", 11);
        double width = Double.parseDouble(System.getProperty("health.width", "0.25"));
        int epochs = Integer.getInteger("health.epochs", 4);
        int batch = Integer.getInteger("health.batch", 256);
        double lr = Double.parseDouble(System.getProperty("health.lr", "0.5"));
        int images = Integer.getInteger("health.images", 60_000);
        Precision precision = Precision.valueOf(System.getProperty("health.precision", "fp32").toUpperCase());
        boolean linear = Boolean.getBoolean("health.linear");
        List<Long> seeds = Arrays.stream(System.getProperty("health.seeds", "1").split(",")).map(Long::parseLong)
                .toList();
        LabelledImages all = IdxReader.read(Importers.FASHION_MNIST_DIR.resolve("train-images-idx3-ubyte.gz"),
                Importers.FASHION_MNIST_DIR.resolve("train-labels-idx1-ubyte.gz"));
        LabelledImages train = images >= all.count() ? all
                : all.select(java.util.stream.IntStream.range(0, images).toArray());
        Holdout holdout = Holdout.of(train, 10);
        LabelledImages test = IdxReader.read(Importers.FASHION_MNIST_DIR.resolve("t10k-images-idx3-ubyte.gz"),
                Importers.FASHION_MNIST_DIR.resolve("t10k-labels-idx1-ubyte.gz"));
        LabelledImages bank = holdout.train().select(java.util.stream.IntStream.range(0, 2000).toArray());
        LabelledImages queries = holdout.validation().select(java.util.stream.IntStream.range(0,
                Math.min(1000, holdout.validation().count())).toArray());
        for (long seed : seeds) {
            LoopSettings settings = new LoopSettings(batch, epochs, seed, OptimizerName.SGD, lr, 0.9, 1e-4, true, 1,
                    LrScaling.NONE, 0);
            long t0 = System.nanoTime();
            try (NDManager m = NDManager.newBaseManager();
                 Augmenter views = new Augmenter(train, AugmentPolicy.parse("crop+flip+color scale=0.2:1"), seed,
                         "health", 2, 2);
                 Pretraining p = new Pretraining(settings, new Pretraining.Spec(family, depth, width, 2, 0.2), train,
                         Normalization.of(train.pixels(), 1), views, new Pretraining.Monitor(bank, queries, 10, 1), m)) {
                p.precision(Precisions.resolve(precision, false));
                p.run(new RunListener() {
                    @Override
                    public void progress(Progress pr) {
                        if (pr.knnAccuracy() != null || pr.step() % 50 == 0) {
                            System.out.printf("HEALTH seed %d step %d/%d loss %.4f knn %s std %s (%.0f s)%n", seed,
                                    pr.step(), pr.totalSteps(), pr.loss(), pr.knnAccuracy(), p.lastEmbeddingStd(),
                                    (System.nanoTime() - t0) / 1e9);
                        }
                    }
                });
                System.out.printf("HEALTH RESULT %s-%d x%s seed %d: final loss %.4f (ln(2N-1) = %.4f), kNN %s, "
                        + "embedding std %s (1/sqrt(d) = %.4f), non-finite step %d, %.0f s: %s%n", family, depth,
                        width, seed, p.lastLoss(), Degeneracy.uniformLoss(batch), p.lastKnnAccuracy(),
                        p.lastEmbeddingStd(), 1 / Math.sqrt(p.embeddingDim()), p.nonFiniteLossStep(),
                        (System.nanoTime() - t0) / 1e9, Degeneracy.pretraining(p.lastLoss(), batch,
                        p.lastEmbeddingStd(), p.embeddingDim(), p.lastKnnAccuracy(), 10, p.nonFiniteLossStep()));
                if (linear) {
                    Normalization norm = Normalization.of(train.pixels(), 1);
                    Precision used = Precisions.resolve(precision, false);
                    NDArray fit = Features.of(p.encoder(), norm, holdout.train(), m, used);
                    int dim = (int) fit.getShape().get(1);
                    float[] validation = Features.of(p.encoder(), norm, holdout.validation(), m, used).toFloatArray();
                    float[] scored = Features.of(p.encoder(), norm, test, m, used).toFloatArray();
                    List<LoopSettings> candidates = EvalRequested.HEAD_LEARNING_RATES.stream().map(rate ->
                            new LoopSettings(256, 20, seed, OptimizerName.ADAM, rate, 0.9, 1e-4, false, 0,
                                    LrScaling.NONE, 0)).toList();
                    try (LinearEvaluation.Chosen chosen = LinearEvaluation.chooseOnValidation(candidates,
                            fit.toFloatArray(), holdout.train().labels(), validation, holdout.validation().labels(),
                            dim, 10, m)) {
                        System.out.printf("HEALTH LINEAR %s-%d x%s seed %d %s: test top-1 %.4f (validation %.4f, "
                                + "head lr %s), %.0f s%n", family, depth, width, seed, Autocast.effective(used),
                                chosen.head().evaluate(scored, test.labels()).top1(), chosen.validationTop1(),
                                chosen.settings().learningRate(), (System.nanoTime() - t0) / 1e9);
                    }
                }
            }
        }
    }
}
