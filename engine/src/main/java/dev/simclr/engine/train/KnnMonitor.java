package dev.simclr.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.simclr.contracts.Precision;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.model.Network;

/**
 * The kNN monitor of self-supervised training: each query image is classified by its k nearest training images in
 * cosine similarity of the encoder's features, votes weighted by {@code exp(similarity / temperature)}
 * (k = 200, temperature 0.1 as in the InstDisc/SimCLR monitors).
 */
public final class KnnMonitor {
    public static final int K = 200;
    public static final double TEMPERATURE = 0.1;

    private KnnMonitor() {}

    /**
     * kNN accuracy, and the collapse monitor on the same query images: the standard deviation of the L2-normalised
     * embeddings per dimension, averaged over the d dimensions (lightly's {@code std_of_l2_normalized}): 0 when every
     * image maps to one point, about 1/√d when they spread over the sphere. The embeddings are the projection head's
     * output where one is given (what NT-Xent compares; its last layer is linear, so healthy embeddings are centred
     * and the 1/√d reference holds), else the encoder's features (after a ReLU and pooling: all in the positive
     * orthant, so even a healthy encoder measures well below 1/√d).
     */
    public record Measure(double accuracy, double embeddingStd, int dim) {}

    public static double accuracy(Network encoder, Normalization norm, LabelledImages bank, LabelledImages queries,
                                  int classes, NDManager parent) {
        return accuracy(encoder, norm, bank, queries, classes, Precision.FP32, parent);
    }

    /** The same with the features computed in {@code precision} (similarities and votes in fp32). */
    public static double accuracy(Network encoder, Normalization norm, LabelledImages bank, LabelledImages queries,
                                  int classes, Precision precision, NDManager parent) {
        return accuracy(encoder, norm, bank, queries, classes, K, TEMPERATURE, precision, parent);
    }

    public static double accuracy(Network encoder, Normalization norm, LabelledImages bank, LabelledImages queries,
                                  int classes, int k, double temperature, NDManager parent) {
        return accuracy(encoder, norm, bank, queries, classes, k, temperature, Precision.FP32, parent);
    }

    public static double accuracy(Network encoder, Normalization norm, LabelledImages bank, LabelledImages queries,
                                  int classes, int k, double temperature, Precision precision, NDManager parent) {
        return measure(encoder, null, norm, bank, queries, classes, k, temperature, precision, parent).accuracy();
    }

    /** {@code projection}: the head whose output the collapse monitor reads, or null for the encoder's features. */
    public static Measure measure(Network encoder, Network projection, Normalization norm, LabelledImages bank,
                                  LabelledImages queries, int classes, NDManager parent) {
        return measure(encoder, projection, norm, bank, queries, classes, Precision.FP32, parent);
    }

    /** The same with the features computed in {@code precision} (the head, similarities and votes in fp32). */
    public static Measure measure(Network encoder, Network projection, Normalization norm, LabelledImages bank,
                                  LabelledImages queries, int classes, Precision precision, NDManager parent) {
        return measure(encoder, projection, norm, bank, queries, classes, K, TEMPERATURE, precision, parent);
    }

    private static Measure measure(Network encoder, Network projection, Normalization norm, LabelledImages bank,
                                   LabelledImages queries, int classes, int k, double temperature, Precision precision,
                                   NDManager parent) {
        try (NDManager m = parent.newSubManager()) {
            NDArray b = unit(Features.of(encoder, norm, bank, m, precision));
            NDArray features = Features.of(encoder, norm, queries, m, precision);
            NDArray q = unit(features);
            NDArray e = projection == null ? q : unit(projection.forward(features, false));
            int dim = (int) e.getShape().get(1);
            double std = e.sub(e.mean(new int[] {0}, true)).square().mean(new int[] {0}).sqrt().mean().getFloat();
            int kk = Math.min(k, bank.count());
            long correct = 0;
            for (int from = 0; from < queries.count(); from += 1024) {
                int to = Math.min(queries.count(), from + 1024);
                try (NDManager chunk = m.newSubManager()) {
                    NDArray sim = q.get(from + ":" + to).matMul(b.transpose());
                    sim.attach(chunk);
                    NDList top = sim.topK(kk, 1, true, true);
                    float[] values = top.get(0).toFloatArray();
                    long[] index = top.get(1).toLongArray();
                    for (int i = 0; i < to - from; i++) {
                        double[] votes = new double[classes];
                        for (int j = 0; j < kk; j++) {
                            votes[(int) bank.labels()[(int) index[i * kk + j]]] += Math.exp(values[i * kk + j] / temperature);
                        }
                        int best = 0;
                        for (int c = 1; c < classes; c++) {
                            if (votes[c] > votes[best]) {
                                best = c;
                            }
                        }
                        if (best == queries.labels()[from + i]) {
                            correct++;
                        }
                    }
                }
            }
            return new Measure((double) correct / queries.count(), std, dim);
        }
    }

    static NDArray unit(NDArray f) {
        return f.div(f.norm(new int[] {1}, true).maximum(1e-12f));
    }
}
