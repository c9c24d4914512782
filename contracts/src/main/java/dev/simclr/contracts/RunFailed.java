package dev.simclr.contracts;

import java.time.Instant;

/**
 * A run failed, or a request was rejected. {@code experimentId}/{@code runId} are absent only when the request
 * was so malformed that they could not be read.
 */
public record RunFailed(
        int schemaVersion,
        @Nullable String experimentId,
        @Nullable String runId,
        @Nullable Stage stage,
        String reason,
        Instant at) implements Event {}
