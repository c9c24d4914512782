package dev.simclr.contracts;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run finished: its checkpoint (if it makes one), final metrics, what it cost, and the code version of the worker
 * that ran it ({@link CodeVersion}; null from a producer that does not say), and the {@link Precision} it trained
 * (or computed features) in — {@code fp32} or {@code bf16}, never {@code auto}; null from a producer that does not
 * say, or a stage without a network (augmentation, raw pixels). {@code degenerate}: why the run's numbers must not be
 * averaged into a finding (a collapsed encoder, a head at chance, a non-finite loss), one reason per check that
 * failed; null or empty when the run is healthy (or its producer did not check).
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
        @Nullable Precision precision,
        @Nullable List<String> degenerate) implements Event {

    /** A completion that does not say its precision nor its health. */
    public RunCompleted(int schemaVersion, String experimentId, String runId, Stage stage, String checkpointKey,
                        Map<String, Double> metrics, double cpuSeconds, Instant at, String codeVersion) {
        this(schemaVersion, experimentId, runId, stage, checkpointKey, metrics, cpuSeconds, at, codeVersion, null,
                null);
    }

    /** A completion made in this JVM: stamped with this JVM's code version. */
    public RunCompleted(int schemaVersion, String experimentId, String runId, Stage stage, String checkpointKey,
                        Map<String, Double> metrics, double cpuSeconds, Instant at) {
        this(schemaVersion, experimentId, runId, stage, checkpointKey, metrics, cpuSeconds, at, CodeVersion.current(),
                null, null);
    }

    /** A completion made in this JVM in {@code precision}. */
    public RunCompleted(int schemaVersion, String experimentId, String runId, Stage stage, String checkpointKey,
                        Map<String, Double> metrics, double cpuSeconds, Instant at, Precision precision) {
        this(schemaVersion, experimentId, runId, stage, checkpointKey, metrics, cpuSeconds, at, CodeVersion.current(),
                precision, null);
    }

    /** Whether no health check found the run degenerate (not a bean getter: it is no field on the wire). */
    public boolean healthy() {
        return degenerate == null || degenerate.isEmpty();
    }

    /** This completion with the reasons a health check found (none: healthy). */
    public RunCompleted withDegenerate(List<String> reasons) {
        return new RunCompleted(schemaVersion, experimentId, runId, stage, checkpointKey, metrics, cpuSeconds, at,
                codeVersion, precision, reasons == null || reasons.isEmpty() ? null : List.copyOf(reasons));
    }
}
