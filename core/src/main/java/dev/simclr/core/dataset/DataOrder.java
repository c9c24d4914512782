package dev.simclr.core.dataset;

import java.util.SplittableRandom;

/**
 * The order images are seen in an epoch: a pure function of (seed, epoch), so a resumed run, augment-service
 * writing views ahead and any other instance agree on it without sharing state.
 */
public final class DataOrder {
    private DataOrder() {}

    public static int[] permutation(long seed, int epoch, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(mix(seed, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** The dataset positions of batch {@code step} (0-based within the epoch); the last partial batch is dropped. */
    public static int[] batch(long seed, int epoch, int n, int batchSize, int step) {
        int[] order = permutation(seed, epoch, n);
        int[] batch = new int[batchSize];
        System.arraycopy(order, step * batchSize, batch, 0, batchSize);
        return batch;
    }

    public static int stepsPerEpoch(int n, int batchSize) {
        return n / batchSize;
    }

    static long mix(long seed, long salt) {
        long z = seed * 0x9E3779B97F4A7C15L + salt * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
