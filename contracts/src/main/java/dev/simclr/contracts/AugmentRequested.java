package dev.simclr.contracts;

/**
 * Write augmented view shards {@code views/<runId>/epoch-NNNN/shard-NNNNN.npz} for a run, at most
 * {@code lookaheadEpochs} ahead of the trainer that consumes them.
 */
public record AugmentRequested(
        int schemaVersion,
        String experimentId,
        String runId,
        DatasetRef dataset,
        String split,
        String policy,
        int epochs,
        long seed,
        int viewsPerImage,
        int shardSize,
        int lookaheadEpochs) implements Event {}
