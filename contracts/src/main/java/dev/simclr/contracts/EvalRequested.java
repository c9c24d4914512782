package dev.simclr.contracts;

/**
 * Evaluate a checkpoint: {@code kind} test-accuracy (the checkpoint's own classifier), linear (logistic
 * regression on frozen features) or transfer (linear evaluation on another dataset) at {@code batchSize}.
 * A logistic regression (linear, transfer, pixels) is trained once per rate of {@link #HEAD_LEARNING_RATES} on the
 * training split less its validation split, and the head that scores best on the validation split is the one the
 * test split scores. {@code precision}: {@link Precision} of the encoder's forward passes (the features); the
 * logistic regression on them runs in fp32 whatever it says; absent means fp32.
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
        long seed,
        @Nullable Precision precision) implements Event {

    /** A request in fp32 (no {@code precision}). */
    public EvalRequested(int schemaVersion, String experimentId, String runId, EvalKind kind, String checkpoint,
                         DatasetRef dataset, int batchSize, int epochs, long seed) {
        this(schemaVersion, experimentId, runId, kind, checkpoint, dataset, batchSize, epochs, seed, null);
    }

    /** The precision asked for: {@code precision}, fp32 when absent. */
    public Precision precisionOrDefault() {
        return precision == null ? Precision.FP32 : precision;
    }

    /**
     * The logistic regression's Adam learning rates, chosen among on the validation split: one fixed rate under-fits
     * some features and not others (1e-3 for 4000 steps left 128 standardised SimCLR features 2.7 points below a
     * converged fit). Part of every linear evaluation's run id.
     */
    public static final java.util.List<Double> HEAD_LEARNING_RATES = java.util.List.of(1e-3, 1e-2, 1e-1);
}
