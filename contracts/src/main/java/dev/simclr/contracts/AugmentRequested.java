package dev.simclr.contracts;

/**
 * Write augmented view shards {@code views/<runId>/epoch-NNNN/shard-NNNNN.npz} for a run, at most
 * {@code lookaheadEpochs} ahead of the trainer that consumes them. Views follow the data order of {@code seed}
 * (the trainer's seed). A request without {@code slice} is the run's request: augment-service splits it into
 * {@code slices} requests, one per partition, so that several instances write one run's shards; slice k writes the
 * shards whose running number (over all epochs) is k modulo {@code slices}.
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
        int lookaheadEpochs,
        @Nullable Integer slice,
        @Nullable Integer slices) implements Event {

    /** This request narrowed to one slice of {@code count}. */
    public AugmentRequested slice(int index, int count) {
        return new AugmentRequested(schemaVersion, experimentId, runId, dataset, split, policy, epochs, seed,
                viewsPerImage, shardSize, lookaheadEpochs, index, count);
    }
}
