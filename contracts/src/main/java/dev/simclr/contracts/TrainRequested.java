package dev.simclr.contracts;

/**
 * Pretrain (NT-Xent on two views per image) or fine-tune (encoder from {@code initialCheckpoint} plus a new
 * linear head, on {@code labelFraction} of the labels). Views come from augment run {@code viewsFromRun} when set,
 * otherwise they are augmented in-process.
 */
public record TrainRequested(
        int schemaVersion,
        String experimentId,
        String runId,
        Stage stage,
        DatasetRef dataset,
        EncoderSpec encoder,
        int projectionLayers,
        String policy,
        double labelFraction,
        int batchSize,
        int epochs,
        OptimizerSpec optimizer,
        double temperature,
        long seed,
        boolean freezeEncoder,
        @Nullable String initialCheckpoint,
        @Nullable String viewsFromRun) implements Event {}
