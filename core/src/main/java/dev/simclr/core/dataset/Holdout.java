package dev.simclr.core.dataset;

import java.util.Arrays;

/**
 * The validation split every choice of epoch or model is made on: carved from a labelled dataset's training split,
 * stratified ({@link #FRACTION} of every class, at least one image), with a fixed seed — the same images for every
 * run, seed and condition on the dataset, so that comparisons hold it equal. The test split is never part of it:
 * it is read once per run, for the final score.
 */
public record Holdout(LabelledImages train, LabelledImages validation) {
    public static final double FRACTION = 0.1;
    public static final long SEED = 20210801L;

    public static Holdout of(LabelledImages all, int classes) {
        int[] validation = DatasetStore.labelFraction(all.labels(), classes, FRACTION, SEED);
        boolean[] held = new boolean[all.count()];
        for (int i : validation) {
            held[i] = true;
        }
        int[] train = new int[all.count() - validation.length];
        int t = 0;
        for (int i = 0; i < all.count(); i++) {
            if (!held[i]) {
                train[t++] = i;
            }
        }
        return new Holdout(all.select(Arrays.copyOf(train, t)), all.select(validation));
    }
}
