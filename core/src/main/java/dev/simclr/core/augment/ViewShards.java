package dev.simclr.core.augment;

import dev.simclr.core.npy.Npy;
import dev.simclr.core.npy.Npz;
import dev.simclr.core.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one place for a run's view shards in object storage:
 * <pre>
 * views/&lt;run&gt;/epoch-NNNN/shard-NNNNN.npz   indices (int64, dataset positions), view0..view{V-1} (uint8 N×H×W×C)
 * views/&lt;run&gt;/cursor                        the consumer's epoch: every epoch below it is consumed and deleted
 * views/&lt;run&gt;/slices/slice-NNN.done         a writer slice has written all its shards
 * </pre>
 * Shard s of epoch e holds the images at positions [s·size, (s+1)·size) of that epoch's data order
 * ({@link dev.simclr.core.dataset.DataOrder}), so a trainer reads them in the order it trains.
 */
public final class ViewShards {
    private ViewShards() {}

    /** How a run's shards are numbered and shared among {@code slices} writers. */
    public record Plan(int images, int shardSize, int epochs, int slices) {
        public Plan {
            if (images < 1 || shardSize < 1 || epochs < 1 || slices < 1) {
                throw new IllegalArgumentException("plan needs images, shard size, epochs and slices ≥ 1: " + images
                        + ", " + shardSize + ", " + epochs + ", " + slices);
            }
        }

        public int shardsPerEpoch() {
            return (images + shardSize - 1) / shardSize;
        }

        public int totalShards() {
            return shardsPerEpoch() * epochs;
        }

        /** Shards are dealt round-robin over the whole run, so every slice has work in every epoch it can. */
        public int sliceOf(int epoch, int shard) {
            return (epoch * shardsPerEpoch() + shard) % slices;
        }

        public int firstPosition(int shard) {
            return shard * shardSize;
        }

        public int endPosition(int shard) {
            return Math.min(images, (shard + 1) * shardSize);
        }
    }

    public static String prefix(String runId) {
        return "views/" + runId + "/";
    }

    public static String epochPrefix(String runId, int epoch) {
        return prefix(runId) + String.format(Locale.ROOT, "epoch-%04d/", epoch);
    }

    public static String shardKey(String runId, int epoch, int shard) {
        return epochPrefix(runId, epoch) + String.format(Locale.ROOT, "shard-%05d.npz", shard);
    }

    public static String cursorKey(String runId) {
        return prefix(runId) + "cursor";
    }

    public static String sliceDoneKey(String runId, int slice) {
        return prefix(runId) + String.format(Locale.ROOT, "slices/slice-%03d.done", slice);
    }

    /** The consumer's epoch (0 before it starts). */
    public static int cursor(ObjectStore store, String runId) {
        Optional<byte[]> c = store.getIfExists(cursorKey(runId));
        return c.map(b -> Integer.parseInt(new String(b, StandardCharsets.UTF_8).trim())).orElse(0);
    }

    public static void setCursor(ObjectStore store, String runId, int epoch) {
        store.put(cursorKey(runId), Integer.toString(epoch).getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    /** A decoded shard: row r holds dataset image {@code indices[r]}; {@code views[v]} is N×H×W×C. */
    public record Shard(long[] indices, byte[][] views, int height, int width, int channels) {
        public int imageBytes() {
            return height * width * channels;
        }
    }

    public static byte[] encode(long[] indices, byte[][] views, int height, int width, int channels) {
        Map<String, Npy.Array> arrays = new LinkedHashMap<>();
        arrays.put("indices", Npy.int64(indices));
        for (int v = 0; v < views.length; v++) {
            arrays.put("view" + v, Npy.uint8(views[v], indices.length, height, width, channels));
        }
        return Npz.write(arrays);
    }

    public static Shard decode(byte[] npz) {
        Map<String, Npy.Array> arrays = Npz.read(npz);
        Npy.Array indices = arrays.get("indices");
        if (indices == null || arrays.get("view0") == null) {
            throw new IllegalArgumentException("not a view shard: it needs arrays indices and view0, has "
                    + arrays.keySet());
        }
        int count = 0;
        while (arrays.containsKey("view" + count)) {
            count++;
        }
        byte[][] views = new byte[count][];
        int[] shape = arrays.get("view0").shape();
        for (int v = 0; v < count; v++) {
            views[v] = arrays.get("view" + v).data();
        }
        return new Shard(indices.asLongs(), views, shape[1], shape[2], shape[3]);
    }
}
