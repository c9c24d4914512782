package dev.simclr.contracts;

import java.time.Instant;

/**
 * A worker took up a run's request (checked and accepted it) and starts on it: at every delivery, so a time-sliced
 * run says so at each slice; the coordinator keeps the first after it issued the request.
 */
public record RunStarted(
        int schemaVersion,
        String experimentId,
        String runId,
        Stage stage,
        Instant at) implements Event {}
