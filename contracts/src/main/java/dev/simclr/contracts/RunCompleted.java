package dev.simclr.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * A run finished: its checkpoint (if it makes one), final metrics, what it cost, and the code version of the worker
 * that ran it ({@link CodeVersion}; null from a producer that does not say).
 */
public record RunCompleted(
        int schemaVersion,
        String experimentId,
        String runId,
        Stage stage,
        @Nullable String checkpointKey,
        Map<String, Double> metrics,
        double cpuSeconds,
        Instant at,
        @Nullable String codeVersion) implements Event {

    /** A completion made in this JVM: stamped with this JVM's code version. */
    public RunCompleted(int schemaVersion, String experimentId, String runId, Stage stage, String checkpointKey,
                        Map<String, Double> metrics, double cpuSeconds, Instant at) {
        this(schemaVersion, experimentId, runId, stage, checkpointKey, metrics, cpuSeconds, at, CodeVersion.current());
    }
}
