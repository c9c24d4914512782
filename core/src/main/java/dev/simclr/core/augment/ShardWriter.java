package dev.simclr.core.augment;

import dev.simclr.contracts.AugmentRequested;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.dataset.DataOrder;
import dev.simclr.core.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Writes one slice's view shards of an augment run, at most {@code lookaheadEpochs} epochs ahead of the consumer's
 * cursor, for at most a time budget: then it says whether the slice is done or has more to do (the caller
 * re-queues it). Shards are pure functions of the request, so a crash, a re-delivery or another instance taking
 * over rewrites nothing that exists: an existing shard is verified against its sha256 once and kept.
 */
public final class ShardWriter {
    private static final Logger LOG = Logger.getLogger(ShardWriter.class);

    public enum Outcome { DONE, MORE }

    /** How long a slice waits for the consumer to move before it hands the worker back. */
    static final Duration MAX_IDLE = Duration.ofSeconds(2);

    /** What one call did; {@code runDone} when every slice of the run has written all its shards. */
    public record Result(Outcome outcome, int shardsWritten, int imagesAugmented, double seconds, boolean runDone,
                         int epochReached, int totalShards) {}

    /**
     * Progress after each shard written: its epoch, its position in the run's sequence of shards (1-based; the
     * slices write interleaved shards, so each slice's position tracks the whole run's), the run's shard count, and
     * the images/s of this call.
     */
    public interface ProgressListener {
        void shardWritten(int epoch, long position, long totalShards, double imagesPerSecond);
    }

    private final ObjectStore store;
    private final DatasetStore datasets;
    private final int threads;
    private final Map<String, Set<String>> knownGood = new ConcurrentHashMap<>();
    private final Map<String, LabelledImages> loaded = new ConcurrentHashMap<>();

    public ShardWriter(ObjectStore store, int threads) {
        this.store = store;
        this.datasets = new DatasetStore(store);
        this.threads = threads;
    }

    /** The run's images: dataset {@code name/version}, split; loaded once per process. */
    public LabelledImages images(AugmentRequested r) {
        String key = datasetName(r);
        LabelledImages cached = loaded.get(key);
        if (cached == null) {
            if (loaded.size() > 4) {
                loaded.clear();
            }
            cached = datasets.load(r.dataset().name(), r.dataset().version(), r.split());
            loaded.put(key, cached);
        }
        return cached;
    }

    public static String datasetName(AugmentRequested r) {
        return r.dataset().name() + "/" + r.dataset().version() + "/" + r.split();
    }

    public static ViewShards.Plan plan(AugmentRequested r, int images) {
        return new ViewShards.Plan(images, r.shardSize(), r.epochs(), r.slices() == null ? 1 : r.slices());
    }

    /**
     * Writes what this slice may write now. Waits for the consumer while the look-ahead is full, but returns
     * {@link Outcome#MORE} when {@code budget} is spent or the wait passes {@link #MAX_IDLE}, so a worker never
     * holds a queue for long.
     */
    public Result run(AugmentRequested r, Duration budget, ProgressListener progress) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        AugmentPolicy policy = AugmentPolicy.parse(r.policy());
        LabelledImages images = images(r);
        ViewShards.Plan plan = plan(r, images.count());
        int slice = r.slice() == null ? 0 : r.slice();
        Set<String> good = knownGood.computeIfAbsent(r.runId(), k -> ConcurrentHashMap.newKeySet());
        int written = 0;
        int augmented = 0;
        int epoch = 0;
        try (Augmenter augmenter = new Augmenter(images, policy, r.seed(), datasetName(r), r.viewsPerImage(),
                threads)) {
            for (; epoch < r.epochs(); epoch++) {
                int cursor = ViewShards.cursor(store, r.runId());
                if (epoch < cursor) {
                    continue; // consumed and deleted: never write it again
                }
                long idleUntil = System.nanoTime() + MAX_IDLE.toNanos();
                while (epoch > cursor + r.lookaheadEpochs()) {
                    // waiting for the consumer: give the worker back soon, other slices may have work
                    if (System.nanoTime() > Math.min(deadline, idleUntil)) {
                        return result(Outcome.MORE, written, augmented, start, false, epoch, plan);
                    }
                    Thread.sleep(200);
                    cursor = ViewShards.cursor(store, r.runId());
                }
                int[] order = null;
                for (int shard = 0; shard < plan.shardsPerEpoch(); shard++) {
                    if (plan.sliceOf(epoch, shard) != slice) {
                        continue;
                    }
                    String key = ViewShards.shardKey(r.runId(), epoch, shard);
                    if (good.contains(key)) {
                        continue;
                    }
                    if (store.exists(key)) {
                        store.get(key); // throws ChecksumMismatchException naming the key when it was altered
                        good.add(key);
                        continue;
                    }
                    if (order == null) {
                        order = DataOrder.permutation(r.seed(), epoch, images.count());
                    }
                    int from = plan.firstPosition(shard);
                    int[] indices = java.util.Arrays.copyOfRange(order, from, plan.endPosition(shard));
                    byte[][] views = augmenter.views(epoch, shard, indices);
                    long[] positions = java.util.Arrays.stream(indices).asLongStream().toArray();
                    store.put(key, ViewShards.encode(positions, views, augmenter.outHeight(), augmenter.outWidth(),
                            images.channels()), "application/x-npz");
                    good.add(key);
                    written++;
                    augmented += indices.length;
                    if (progress != null) {
                        progress.shardWritten(epoch, (long) epoch * plan.shardsPerEpoch() + shard + 1,
                                plan.totalShards(), augmented / seconds(start));
                    }
                    if (System.nanoTime() > deadline) {
                        return result(Outcome.MORE, written, augmented, start, false, epoch, plan);
                    }
                }
            }
        }
        store.put(ViewShards.sliceDoneKey(r.runId(), slice), "done".getBytes(StandardCharsets.UTF_8), "text/plain");
        knownGood.remove(r.runId());
        boolean runDone = true;
        for (int s = 0; s < plan.slices() && runDone; s++) {
            runDone = store.exists(ViewShards.sliceDoneKey(r.runId(), s));
        }
        LOG.debugf("run %s slice %d done (%d shards written now)", r.runId(), slice, written);
        return result(Outcome.DONE, written, augmented, start, runDone, r.epochs(), plan);
    }

    private static Result result(Outcome o, int written, int augmented, long start, boolean runDone, int epoch,
                                 ViewShards.Plan plan) {
        return new Result(o, written, augmented, seconds(start), runDone, epoch, plan.totalShards());
    }

    private static double seconds(long start) {
        return Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    }
}
