package dev.simclr.contracts;

import java.time.Instant;

/** A run moves: emitted at a bounded rate by the worker that holds it. */
public record RunProgress(
        int schemaVersion,
        String experimentId,
        String runId,
        Stage stage,
        int epoch,
        long step,
        long totalSteps,
        double loss,
        double learningRate,
        double imagesPerSecond,
        @Nullable Double knnAccuracy,
        Instant at) implements Event {}
