package dev.simclr.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;

/**
 * Test metrics of a classifier: top-1, top-5 (when there are more than 5 classes), per-class accuracy and the
 * confusion matrix (rows: true class, columns: predicted).
 */
public record Evaluation(double top1, Double top5, double[] perClass, long[][] confusion) {

    /** Scores from N×C logits (on any manager) and true labels. */
    public static Evaluation of(NDArray logits, long[] labels) {
        int classes = (int) logits.getShape().get(1);
        long[] predicted = logits.argMax(1).toLongArray();
        long[][] confusion = new long[classes][classes];
        long top1 = 0;
        for (int i = 0; i < labels.length; i++) {
            confusion[(int) labels[i]][(int) predicted[i]]++;
            if (predicted[i] == labels[i]) {
                top1++;
            }
        }
        Double top5 = null;
        if (classes > 5) {
            NDList top = logits.topK(5, 1, true, true);
            long[] idx = top.get(1).toLongArray();
            top.close();
            long hits = 0;
            for (int i = 0; i < labels.length; i++) {
                for (int j = 0; j < 5; j++) {
                    if (idx[i * 5 + j] == labels[i]) {
                        hits++;
                        break;
                    }
                }
            }
            top5 = (double) hits / labels.length;
        }
        double[] perClass = new double[classes];
        for (int c = 0; c < classes; c++) {
            long total = Arrays.stream(confusion[c]).sum();
            perClass[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        return new Evaluation((double) top1 / labels.length, top5, perClass, confusion);
    }

    /** How many classes the classifier predicted at least once: 1 is a constant classifier. */
    public int predictedClasses() {
        int n = 0;
        for (int c = 0; c < confusion.length; c++) {
            long column = 0;
            for (long[] row : confusion) {
                column += row[c];
            }
            n += column > 0 ? 1 : 0;
        }
        return n;
    }

    /** Logits of a classifier over inputs produced chunk by chunk, concatenated on {@code out}. */
    public interface ChunkLogits {
        NDArray logits(int from, int to, NDManager chunk);
    }

    public static NDArray logits(int count, ChunkLogits f, NDManager out) {
        java.util.List<NDArray> parts = new java.util.ArrayList<>();
        for (int from = 0; from < count; from += 512) {
            int to = Math.min(count, from + 512);
            try (NDManager chunk = out.newSubManager()) {
                NDArray l = f.logits(from, to, chunk);
                l.attach(out);
                parts.add(l);
            }
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray all = ai.djl.ndarray.NDArrays.concat(new NDList(parts), 0);
        all.attach(out);
        parts.forEach(NDArray::close);
        return all;
    }
}
