package dev.simclr.contracts;

import java.time.Instant;

/** The experiment was cancelled: how many of its runs had finished (kept) and how many will not run. */
public record ExperimentCancelled(int schemaVersion, String experimentId, int runsDone, int runsCancelled,
                                  @Nullable String reason, Instant at) implements Event {}
