package dev.simclr.contracts;

import java.time.Instant;
import java.util.Map;

/** A run finished: its checkpoint (if it makes one), final metrics and what it cost. */
public record RunCompleted(
        int schemaVersion,
        String experimentId,
        String runId,
        Stage stage,
        @Nullable String checkpointKey,
        Map<String, Double> metrics,
        double cpuSeconds,
        Instant at) implements Event {}
