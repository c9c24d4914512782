package dev.simclr.contracts;

import java.time.Instant;
import java.util.List;

/** The experiment cannot go on (or was rejected): every reason, each naming what was wrong. */
public record ExperimentFailed(int schemaVersion, @Nullable String experimentId, List<String> reasons, Instant at)
        implements Event {}
