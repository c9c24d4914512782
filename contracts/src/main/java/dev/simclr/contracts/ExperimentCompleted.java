package dev.simclr.contracts;

import java.time.Instant;

/** Every run of the experiment finished; its report is under {@code reportPrefix}. */
public record ExperimentCompleted(int schemaVersion, String experimentId, String reportPrefix, Instant at)
        implements Event {}
