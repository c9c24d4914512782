package dev.simclr.contracts;

/**
 * Pretrain (NT-Xent on two views per image) or fine-tune (encoder from {@code initialCheckpoint} plus a new
 * linear head, on {@code labelFraction} of the labels). Views come from augment run {@code viewsFromRun} when set,
 * otherwise they are augmented in-process. {@code precision}: {@link Precision}; absent means fp32.
 * {@code patienceEpochs} (fine-tune only): train to the best epoch on a validation split carved from the labelled
 * training images ({@code Holdout}), {@code epochs} being the cap, stopping after this many epochs without a better
 * one; the test split is scored once, with the best epoch's weights. Absent: every epoch is trained, the last kept.
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
        @Nullable String viewsFromRun,
        @Nullable Precision precision,
        @Nullable Integer patienceEpochs) implements Event {

    /** A request in fp32 (no {@code precision}). */
    public TrainRequested(int schemaVersion, String experimentId, String runId, Stage stage, DatasetRef dataset,
                          EncoderSpec encoder, int projectionLayers, String policy, double labelFraction, int batchSize,
                          int epochs, OptimizerSpec optimizer, double temperature, long seed, boolean freezeEncoder,
                          String initialCheckpoint, String viewsFromRun) {
        this(schemaVersion, experimentId, runId, stage, dataset, encoder, projectionLayers, policy, labelFraction,
                batchSize, epochs, optimizer, temperature, seed, freezeEncoder, initialCheckpoint, viewsFromRun, null);
    }

    /** A request that trains every epoch (no {@code patienceEpochs}). */
    public TrainRequested(int schemaVersion, String experimentId, String runId, Stage stage, DatasetRef dataset,
                          EncoderSpec encoder, int projectionLayers, String policy, double labelFraction, int batchSize,
                          int epochs, OptimizerSpec optimizer, double temperature, long seed, boolean freezeEncoder,
                          String initialCheckpoint, String viewsFromRun, Precision precision) {
        this(schemaVersion, experimentId, runId, stage, dataset, encoder, projectionLayers, policy, labelFraction,
                batchSize, epochs, optimizer, temperature, seed, freezeEncoder, initialCheckpoint, viewsFromRun,
                precision, null);
    }

    /** The precision asked for: {@code precision}, fp32 when absent. */
    public Precision precisionOrDefault() {
        return precision == null ? Precision.FP32 : precision;
    }
}
