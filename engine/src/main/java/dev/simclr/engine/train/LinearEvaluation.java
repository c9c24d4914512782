package dev.simclr.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.Precision;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.loss.Losses;
import dev.simclr.engine.model.Encoders;
import dev.simclr.engine.model.Network;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Linear evaluation: the frozen encoder's features (eval mode) of the training images, standardised with their own
 * mean and deviation, and a multinomial logistic regression on them trained with mini-batches of
 * {@code batchSize} (the batch size is a variable of the transfer study) and L2 weight decay; scored on the test
 * images' features, standardised the same way. Works on raw pixels too ({@link #ofPixels}) — the baseline.
 */
public final class LinearEvaluation extends TrainingLoop {
    // the standardised training features and labels as tensors: a step gathers its rows in libtorch instead of
    // copying them into a new direct buffer, which the JVM zeroes, at every one of ~1,000 steps/s
    private final NDArray trainFeatures;
    private final NDArray trainLabels;
    private final int dim;
    private final int classes;
    private final float[] mean;
    private final float[] std;
    private final Network classifier;

    private LinearEvaluation(LoopSettings settings, float[] features, long[] labels, int dim, int classes,
                             NDManager parent) {
        super(settings, labels.length, parent);
        this.dim = dim;
        this.classes = classes;
        this.mean = new float[dim];
        this.std = new float[dim];
        int n = labels.length;
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                mean[d] += features[i * dim + d] / n;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) {
                double v = features[i * dim + d] - mean[d];
                std[d] += (float) (v * v / n);
            }
        }
        for (int d = 0; d < dim; d++) {
            std[d] = (float) Math.sqrt(std[d] + 1e-8);
        }
        this.trainFeatures = manager.create(standardise(features), new Shape(n, dim));
        this.trainLabels = manager.create(labels);
        this.classifier = new Network(Encoders.linear(classes), manager.newSubManager(), new Shape(2, dim),
                settings.seed() + 5);
    }

    /** A logistic regression on given features ({@code dim} per image), standardised with their own statistics. */
    public static LinearEvaluation ofFeatures(LoopSettings settings, float[] features, long[] labels, int dim,
                                              int classes, NDManager parent) {
        return new LinearEvaluation(settings, features, labels, dim, classes, parent);
    }

    /** The head kept from {@link #chooseOnValidation}: its settings and its validation top-1. */
    public record Chosen(LinearEvaluation head, LoopSettings settings, double validationTop1)
            implements AutoCloseable {
        @Override
        public void close() {
            head.close();
        }
    }

    /**
     * One head per candidate setting (e.g. learning rate), each trained on {@code train}; the one with the best
     * top-1 on {@code validation} (the first of equals) is kept and the others are closed. Nothing of the test split
     * is read here: the caller scores the kept head on it once.
     */
    public static Chosen chooseOnValidation(List<LoopSettings> candidates, float[] train, long[] trainLabels,
                                            float[] validation, long[] validationLabels, int dim, int classes,
                                            NDManager parent) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidate settings to choose from");
        }
        Chosen best = null;
        for (LoopSettings s : candidates) {
            LinearEvaluation head = new LinearEvaluation(s, train, trainLabels, dim, classes, parent);
            head.run(RunListener.NONE);
            double top1 = head.evaluate(validation, validationLabels).top1();
            if (best == null || top1 > best.validationTop1()) {
                if (best != null) {
                    best.close();
                }
                best = new Chosen(head, s, top1);
            } else {
                head.close();
            }
        }
        return best;
    }

    /** Linear evaluation of {@code encoder}'s frozen features. */
    public static LinearEvaluation ofEncoder(LoopSettings settings, Network encoder, Normalization norm,
                                             LabelledImages train, int classes, NDManager parent) {
        return ofEncoder(settings, encoder, norm, train, classes, Precision.FP32, parent);
    }

    /**
     * The same with the features computed in {@code precision}. The logistic regression itself stays fp32 in every
     * precision: a D×C product per batch, a negligible share of the time, where bf16 would only round the fit.
     */
    public static LinearEvaluation ofEncoder(LoopSettings settings, Network encoder, Normalization norm,
                                             LabelledImages train, int classes, Precision precision,
                                             NDManager parent) {
        try (NDManager m = parent.newSubManager()) {
            NDArray f = Features.of(encoder, norm, train, m, precision);
            return new LinearEvaluation(settings, f.toFloatArray(), train.labels(), (int) f.getShape().get(1),
                    classes, parent);
        }
    }

    /** The same on raw pixels scaled to [0, 1]: what a representation must beat. */
    public static LinearEvaluation ofPixels(LoopSettings settings, LabelledImages train, int classes,
                                            NDManager parent) {
        return new LinearEvaluation(settings, pixels(train), train.labels(), train.imageBytes(), classes, parent);
    }

    public Evaluation evaluate(float[] testFeatures, long[] testLabels) {
        float[] x = standardise(testFeatures);
        try (NDManager m = manager.newSubManager()) {
            return Evaluation.of(classifier.forward(m.create(x, new Shape(testLabels.length, dim)), false),
                    testLabels);
        }
    }

    public Evaluation evaluateEncoder(Network encoder, Normalization norm, LabelledImages test) {
        return evaluateEncoder(encoder, norm, test, Precision.FP32);
    }

    public Evaluation evaluateEncoder(Network encoder, Normalization norm, LabelledImages test, Precision precision) {
        try (NDManager m = manager.newSubManager()) {
            return evaluate(Features.of(encoder, norm, test, m, precision).toFloatArray(), test.labels());
        }
    }

    public Evaluation evaluatePixels(LabelledImages test) {
        return evaluate(pixels(test), test.labels());
    }

    /** Raw pixels scaled to [0, 1], as {@link #ofPixels} reads them. */
    public static float[] pixels(LabelledImages images) {
        float[] x = new float[images.pixels().length];
        for (int i = 0; i < x.length; i++) {
            x[i] = Byte.toUnsignedInt(images.pixels()[i]) / 255f;
        }
        return x;
    }

    private float[] standardise(float[] features) {
        float[] out = new float[features.length];
        for (int i = 0; i < features.length; i++) {
            int d = i % dim;
            out[i] = (features[i] - mean[d]) / std[d];
        }
        return out;
    }

    @Override
    protected Map<String, Network> networks() {
        Map<String, Network> nets = new LinkedHashMap<>();
        nets.put("linear", classifier);
        return nets;
    }

    @Override
    protected NDArray loss(int epoch, int stepInEpoch, int[] indices, NDManager m) {
        long[] rows = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            rows[i] = indices[i];
        }
        NDIndex batch = new NDIndex("{}", m.create(rows));
        return Losses.crossEntropy(classifier.forward(trainFeatures.get(m, batch), true), trainLabels.get(m, batch));
    }

    @Override
    protected void describe(ObjectNode meta) {
        meta.put("kind", "linear-eval");
        meta.put("featureDim", dim);
        meta.put("classes", classes);
    }
}
