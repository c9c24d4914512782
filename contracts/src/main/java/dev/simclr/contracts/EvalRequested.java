package dev.simclr.contracts;

/**
 * Evaluate a checkpoint: {@code kind} test-accuracy (the checkpoint's own classifier), linear (logistic
 * regression on frozen features) or transfer (linear evaluation on another dataset) at {@code batchSize}.
 */
public record EvalRequested(
        int schemaVersion,
        String experimentId,
        String runId,
        EvalKind kind,
        String checkpoint,
        DatasetRef dataset,
        int batchSize,
        int epochs,
        long seed) implements Event {}
