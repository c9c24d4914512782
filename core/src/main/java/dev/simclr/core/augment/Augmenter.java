package dev.simclr.core.augment;

import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.augment.ViewSupplier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Augments views of a dataset's images in process, on {@code threads} threads. View v of image i in an epoch is
 * {@link AugmentPolicy#apply} with the stream {@link ViewRandom#of}(seed, dataset, i, epoch, v): the bytes do not
 * depend on the thread count or on which batch asks for them.
 */
public final class Augmenter implements ViewSupplier, AutoCloseable {
    private final LabelledImages images;
    private final AugmentPolicy policy;
    private final long seed;
    private final long datasetKey;
    private final int viewsPerImage;
    private final ForkJoinPool pool;

    public Augmenter(LabelledImages images, AugmentPolicy policy, long seed, String datasetName, int viewsPerImage,
                     int threads) {
        if (viewsPerImage < 1) {
            throw new IllegalArgumentException("views per image must be at least 1: " + viewsPerImage);
        }
        this.images = images;
        this.policy = policy;
        this.seed = seed;
        this.datasetKey = ViewRandom.datasetKey(datasetName);
        this.viewsPerImage = viewsPerImage;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    public int outHeight() {
        return policy.outHeight(images.height());
    }

    public int outWidth() {
        return policy.outWidth(images.width());
    }

    public int viewBytes() {
        return outHeight() * outWidth() * images.channels();
    }

    /** View {@code view} of dataset image {@code image} in {@code epoch}. */
    public byte[] view(int image, int epoch, int view) {
        return policy.apply(images.pixels(), image * images.imageBytes(), images.height(), images.width(),
                images.channels(), ViewRandom.of(seed, datasetKey, image, epoch, view));
    }

    @Override
    public byte[][] views(int epoch, int step, int[] indices) {
        int bytes = viewBytes();
        byte[][] out = new byte[viewsPerImage][indices.length * bytes];
        IntStream work = IntStream.range(0, indices.length * viewsPerImage);
        Runnable fill = () -> (pool == null ? work : work.parallel()).forEach(k -> {
            int i = k / viewsPerImage;
            int v = k % viewsPerImage;
            System.arraycopy(view(indices[i], epoch, v), 0, out[v], i * bytes, bytes);
        });
        if (pool == null) {
            fill.run();
        } else {
            try {
                pool.submit(fill).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while augmenting", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("augmentation failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
