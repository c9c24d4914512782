package dev.simclr.core.augment;

/**
 * Augmented views for a batch: for {@code epoch} and the dataset positions {@code indices}, {@code views} arrays of
 * uint8 images (N×H×W×C) — view v of image i is a pure function of (seed, image, epoch, v). In-process
 * augmentation implements it, and so does the reader of augment-service's view shards.
 */
public interface ViewSupplier {
    byte[][] views(int epoch, int step, int[] indices);
}
