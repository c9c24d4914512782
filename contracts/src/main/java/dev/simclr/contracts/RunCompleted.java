package dev.simclr.contracts;

import java.time.Instant;
import java.util.Map;

/**
 * A run finished: its checkpoint (if it makes one), final metrics, what it cost, and the code version of the worker
 * that ran it ({@link CodeVersion}; null from a producer that does not say), and the {@link Precision} it trained
 * (or computed features) in — {@code fp32} or {@code bf16}, never {@code auto}; null from a producer that does not
 * say, or a stage without a network (augmentation, raw pixels).
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
        @Nullable String codeVersion,
        @Nullable Precision precision) implements Event {

    /** A completion that does not say its precision. */
    public RunCompleted(int schemaVersion, String experimentId, String runId, Stage stage, String checkpointKey,
                        Map<String, Double> metrics, double cpuSeconds, Instant at, String codeVersion) {
        this(schemaVersion, experimentId, runId, stage, checkpointKey, metrics, cpuSeconds, at, codeVersion, null);
    }

    /** A completion made in this JVM: stamped with this JVM's code version. */
    public RunCompleted(int schemaVersion, String experimentId, String runId, Stage stage, String checkpointKey,
                        Map<String, Double> metrics, double cpuSeconds, Instant at) {
        this(schemaVersion, experimentId, runId, stage, checkpointKey, metrics, cpuSeconds, at, CodeVersion.current(),
                null);
    }

    /** A completion made in this JVM in {@code precision}. */
    public RunCompleted(int schemaVersion, String experimentId, String runId, Stage stage, String checkpointKey,
                        Map<String, Double> metrics, double cpuSeconds, Instant at, Precision precision) {
        this(schemaVersion, experimentId, runId, stage, checkpointKey, metrics, cpuSeconds, at, CodeVersion.current(),
                precision);
    }
}
