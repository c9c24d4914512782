package dev.simclr.core.augment;

import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.dataset.DataOrder;
import dev.simclr.core.augment.ViewSupplier;
import dev.simclr.core.store.ObjectStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainer's side of augment-service: views read from a run's shards, waiting for a shard that is not written
 * yet (that wait is the trainer's data stall). {@link #release} marks an epoch consumed — call it once a checkpoint
 * covers the epoch — and deletes its shards. An epoch already released (a run resumed from an older checkpoint)
 * is augmented in process instead: views are pure functions of their inputs, so the bytes are the same. A shard
 * that is not there within {@code timeout} ends the slice ({@link ViewsNotReadyException}, transient): the worker
 * re-queues its request instead of holding it.
 */
public final class ShardReader implements ViewSupplier, AutoCloseable {
    private final ObjectStore store;
    private final String runId;
    private final int images;
    private int shardSize = -1;
    private final long seed;
    private final Duration timeout;
    private final Augmenter fallback;
    private final Map<String, ViewShards.Shard> cache = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ViewShards.Shard> eldest) {
            return size() > 4;
        }
    };
    private int positionsEpoch = -1;
    private int[] positions;
    private int released;

    /**
     * {@code images}, {@code policy}, {@code seed}, {@code datasetName} and {@code viewsPerImage} must be the
     * augment run's (the shard size is read off the shards); {@code timeout} bounds the wait for one shard.
     */
    public ShardReader(ObjectStore store, String runId, LabelledImages images, AugmentPolicy policy, long seed,
                       String datasetName, int viewsPerImage, Duration timeout) {
        this.store = store;
        this.runId = runId;
        this.images = images.count();
        this.seed = seed;
        this.timeout = timeout;
        this.fallback = new Augmenter(images, policy, seed, datasetName, viewsPerImage, 1);
        this.released = ViewShards.cursor(store, runId);
    }

    @Override
    public byte[][] views(int epoch, int step, int[] indices) {
        if (epoch < released) {
            return fallback.views(epoch, step, indices);
        }
        if (positionsEpoch != epoch) {
            int[] order = DataOrder.permutation(seed, epoch, images);
            positions = new int[order.length];
            for (int p = 0; p < order.length; p++) {
                positions[order[p]] = p;
            }
            positionsEpoch = epoch;
        }
        if (shardSize < 0) {
            shardSize = shard(epoch, 0).indices().length; // every shard but an epoch's last has this many rows
        }
        byte[][] out = null;
        for (int i = 0; i < indices.length; i++) {
            int position = positions[indices[i]];
            int shardNo = position / shardSize;
            ViewShards.Shard shard = shard(epoch, shardNo);
            int row = position - shardNo * shardSize;
            if (shard.indices()[row] != indices[i]) {
                throw new IllegalStateException(ViewShards.shardKey(runId, epoch, shardNo) + " row " + row
                        + " holds image " + shard.indices()[row] + ", expected " + indices[i]
                        + ": the shards were written with another seed or dataset");
            }
            int bytes = shard.imageBytes();
            if (out == null) {
                out = new byte[shard.views().length][indices.length * bytes];
            }
            for (int v = 0; v < out.length; v++) {
                System.arraycopy(shard.views()[v], row * bytes, out[v], i * bytes, bytes);
            }
        }
        return out;
    }

    private ViewShards.Shard shard(int epoch, int shardNo) {
        String key = ViewShards.shardKey(runId, epoch, shardNo);
        ViewShards.Shard cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!store.exists(key)) {
            if (System.nanoTime() > deadline) {
                throw new ViewsNotReadyException("no view shard " + key + " after " + timeout.toSeconds()
                        + " s (is augment-service running and run " + runId + " requested?): the slice yields");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + key, e);
            }
        }
        ViewShards.Shard shard = ViewShards.decode(store.get(key));
        cache.put(key, shard);
        return shard;
    }

    /** The consumer is done with {@code epoch} (a checkpoint covers it): its shards go, the writers move on. */
    public void release(int epoch) {
        if (epoch < released - 1) {
            return; // released before
        }
        if (epoch + 1 > released) {
            released = epoch + 1;
            ViewShards.setCursor(store, runId, released);
        }
        store.deletePrefix(ViewShards.epochPrefix(runId, epoch));
        cache.keySet().removeIf(k -> k.startsWith(ViewShards.epochPrefix(runId, epoch)));
    }

    @Override
    public void close() {
        fallback.close();
    }
}
