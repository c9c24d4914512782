package dev.simclr.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.core.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place for a run's objects:
 * <pre>
 * runs/&lt;run&gt;/checkpoints/step-NNNNNNNNNN.npz   checkpoints (numpy-readable), the two newest kept
 * runs/&lt;run&gt;/checkpoint.json                   which checkpoint is the latest: written after it (manifest last)
 * runs/&lt;run&gt;/encoder.npz                       the trained encoder for PyTorch (python/load_encoder.py)
 * runs/&lt;run&gt;/result.json                       the run-completed event: a run with one is never trained again
 * </pre>
 */
public final class RunStore {
    private static final ObjectMapper JSON = dev.simclr.contracts.Json.MAPPER;
    private final ObjectStore store;

    public RunStore(ObjectStore store) {
        this.store = store;
    }

    public static String prefix(String runId) {
        return "runs/" + runId + "/";
    }

    public static String checkpointKey(String runId, long step) {
        return prefix(runId) + String.format(Locale.ROOT, "checkpoints/step-%010d.npz", step);
    }

    public static String latestKey(String runId) {
        return prefix(runId) + "checkpoint.json";
    }

    public static String encoderKey(String runId) {
        return prefix(runId) + "encoder.npz";
    }

    public static String resultKey(String runId) {
        return prefix(runId) + "result.json";
    }

    /** Where the latest checkpoint stands. {@code cpuSeconds}: the run's CPU time up to it, over all workers. */
    public record Latest(String key, long step, String sha256, long bytes, double cpuSeconds) {}

    /** Stores a checkpoint, then points the manifest at it, then drops all but the previous one. */
    public Latest saveCheckpoint(String runId, long step, byte[] checkpoint, double cpuSeconds) {
        String key = checkpointKey(runId, step);
        String sha = store.put(key, checkpoint, "application/x-npz");
        Optional<Latest> previous = latest(runId);
        Latest latest = new Latest(key, step, sha, checkpoint.length, cpuSeconds);
        try {
            store.put(latestKey(runId), JSON.writeValueAsBytes(latest), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String old : store.list(prefix(runId) + "checkpoints/")) {
            if (!old.equals(key) && previous.map(p -> !p.key().equals(old)).orElse(true)) {
                store.delete(old);
            }
        }
        return latest;
    }

    public Optional<Latest> latest(String runId) {
        return store.getIfExists(latestKey(runId)).map(b -> {
            try {
                return JSON.readValue(b, Latest.class);
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable " + latestKey(runId), e);
            }
        });
    }

    public Checkpoint load(Latest latest) {
        return Checkpoint.fromBytes(store.get(latest.key(), latest.sha256()));
    }

    /**
     * A checkpoint named by key — another run's output, e.g. a fine-tune's pretrained encoder — checked against the
     * sha256 recorded with it. A missing or unreadable one is an error that names it and says why.
     */
    public Checkpoint loadByKey(String field, String key) {
        return parse(field, key, bytesByKey(field, key));
    }

    /** The stored bytes of the checkpoint at {@code key} (for a caller that also hashes them: one download). */
    public byte[] bytesByKey(String field, String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException(field + ": no checkpoint named");
        }
        if (!store.exists(key)) {
            throw new IllegalArgumentException(field + ": checkpoint " + key + " does not exist");
        }
        return store.get(key);
    }

    public static Checkpoint parse(String field, String key, byte[] bytes) {
        try {
            return Checkpoint.fromBytes(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + key + " is " + e.getMessage(), e);
        }
    }

    public void saveEncoder(String runId, byte[] export) {
        store.put(encoderKey(runId), export, "application/x-npz");
    }

    public Optional<JsonNode> result(String runId) {
        return store.getIfExists(resultKey(runId)).map(b -> {
            try {
                return JSON.readTree(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public void saveResult(String runId, String json) {
        store.put(resultKey(runId), json.getBytes(StandardCharsets.UTF_8), "application/json");
    }
}
