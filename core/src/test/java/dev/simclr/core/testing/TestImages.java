package dev.simclr.core.testing;

import dev.simclr.core.dataset.LabelledImages;
import java.util.SplittableRandom;

/** Small learnable images for tests: four classes of stripes, checks and a diagonal, bright on dark, with noise. */
public final class TestImages {
    private TestImages() {}

    /** {@code n} grey images of {@code side}×{@code side}, image i of class i % 4. */
    /**
     * A new dataset {@code <prefix>-<random>/v1} of 16×16 stripes in four classes, 64 to train on and 32 to test (VGG
     * needs 16 pixels a side): what the process ITs run their small experiments on. Returns its name.
     */
    public static String publishStripes(dev.simclr.core.store.ObjectStore store, String prefix) {
        store.ensureBucket();
        String name = prefix + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        new dev.simclr.core.dataset.DatasetStore(store).publish(name, "v1", java.util.List.of("a", "b", "c", "d"),
                java.util.Map.of("train", stripes(64, 16, 1), "test", stripes(32, 16, 2)), "test", 1000);
        return name;
    }

    public static LabelledImages stripes(int n, int side, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int half = side / 2;
        byte[] px = new byte[n * side * side];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % 4;
            labels[i] = c;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    boolean on = c == 0 ? y < half : c == 1 ? x < half
                            : c == 2 ? (x * 8 / side + y * 8 / side) % 2 == 0 : x == y;
                    px[(i * side + y) * side + x] = (byte) (on ? 150 + r.nextInt(100) : r.nextInt(40));
                }
            }
        }
        return new LabelledImages(side, side, 1, px, labels);
    }
}
