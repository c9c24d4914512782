package dev.simclr.contracts;

import java.time.Instant;

/**
 * A worker took up a run's request (checked and accepted it) and starts on it: at every delivery, so a time-sliced
 * run says so at each slice; the coordinator keeps the first after it issued the request. {@code instance}: the
 * service instance that took it up, {@code <service>@<host>/<pid>} (null from workers older than the field), the
 * latest of which the coordinator shows.
 */
public record RunStarted(
        int schemaVersion,
        String experimentId,
        String runId,
        Stage stage,
        Instant at,
        @Nullable String instance) implements Event {

    /** Without the instance: what the coordinator's own tests and older workers send. */
    public RunStarted(int schemaVersion, String experimentId, String runId, Stage stage, Instant at) {
        this(schemaVersion, experimentId, runId, stage, at, null);
    }
}
