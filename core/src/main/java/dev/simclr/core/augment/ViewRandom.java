package dev.simclr.core.augment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The random stream of one view: SplitMix64 seeded by a hash of (seed, dataset, image index, epoch, view number).
 * Written out rather than taken from {@code java.util} so the bytes of a view are fixed by this file alone — the
 * same on any JVM, machine and thread count.
 */
public final class ViewRandom {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private long state;

    private ViewRandom(long state) {
        this.state = state;
    }

    public static ViewRandom of(long seed, long datasetKey, long imageIndex, int epoch, int view) {
        long h = mix(seed ^ 0x5ca1ab1e0ddba11L);
        h = mix(h ^ datasetKey);
        h = mix(h ^ imageIndex);
        h = mix(h ^ ((long) epoch << 32 | (view & 0xffffffffL)));
        return new ViewRandom(h);
    }

    /** A stable 64-bit key for a dataset name (e.g. "fashion-mnist/v1/train"): part of every view's seed. */
    public static long datasetKey(String dataset) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(dataset.getBytes(StandardCharsets.UTF_8));
            long k = 0;
            for (int i = 0; i < 8; i++) {
                k = k << 8 | (d[i] & 0xff);
            }
            return k;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public long nextLong() {
        return mix(state += GOLDEN_GAMMA);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public double uniform(double low, double high) {
        return low + (high - low) * nextDouble();
    }

    /** Uniform integer in [0, bound), without modulo bias (Lemire's multiply-and-reject on 32 bits). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xffffffffL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xffffffffL;
            }
        }
        return (int) (m >>> 32);
    }

    public boolean chance(double p) {
        return p > 0 && nextDouble() < p;
    }

    /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
