package dev.simclr.contracts;

import java.time.Instant;

/**
 * Stop an experiment (on the experiments topic, keyed by its id, so the coordinator that owns its submission takes
 * it): no new run is issued, running slices stop at their next boundary, finished runs are kept.
 */
public record ExperimentCancelRequested(int schemaVersion, String experimentId, @Nullable String reason,
                                        Instant requestedAt) implements Event {}
