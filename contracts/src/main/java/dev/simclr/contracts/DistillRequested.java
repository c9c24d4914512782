package dev.simclr.contracts;

import java.util.List;

/**
 * Distil a fine-tuned teacher into a student: {@code mode} full (whole student trained) or frozen-base (the
 * student's encoder frozen, a dense head with {@code denseHidden} units trained). Loss:
 * {@code (1-alpha)·T²·KL(teacher/T ‖ student/T) + alpha·CE(labels)}; stops early after {@code patienceEpochs}
 * epochs without a better validation accuracy. The student is trained on the {@code unlabelled} dataset's train split
 * (its labels are read only when {@code alpha} > 0; without the validation images when it is the labelled dataset)
 * and scored after every epoch on a validation split carved from the {@code labelled} dataset's train split
 * (stratified, 10 %, fixed seed: {@code Holdout}), as the reference stopped at its best accuracy; the chosen student
 * and the teacher are scored once on the test split at the end. {@code studentCheckpoint}: an encoder to start the
 * student from (for frozen-base, the base that stays frozen, e.g. a SimCLR-pretrained encoder); absent, the
 * student starts from a seeded random initialisation. {@code precision}: {@link Precision} of the student's training
 * and of the teacher's forward passes; absent means fp32.
 */
public record DistillRequested(
        int schemaVersion,
        String experimentId,
        String runId,
        String teacherCheckpoint,
        EncoderSpec student,
        DistillMode mode,
        List<Integer> denseHidden,
        double temperature,
        double alpha,
        DatasetRef unlabelled,
        DatasetRef labelled,
        int batchSize,
        int epochs,
        int patienceEpochs,
        OptimizerSpec optimizer,
        long seed,
        @Nullable String studentCheckpoint,
        @Nullable Precision precision) implements Event {

    /** A request in fp32 (no {@code precision}). */
    public DistillRequested(int schemaVersion, String experimentId, String runId, String teacherCheckpoint,
                            EncoderSpec student, DistillMode mode, List<Integer> denseHidden, double temperature,
                            double alpha, DatasetRef unlabelled, DatasetRef labelled, int batchSize, int epochs,
                            int patienceEpochs, OptimizerSpec optimizer, long seed, String studentCheckpoint) {
        this(schemaVersion, experimentId, runId, teacherCheckpoint, student, mode, denseHidden, temperature, alpha,
                unlabelled, labelled, batchSize, epochs, patienceEpochs, optimizer, seed, studentCheckpoint, null);
    }

    /** The precision asked for: {@code precision}, fp32 when absent. */
    public Precision precisionOrDefault() {
        return precision == null ? Precision.FP32 : precision;
    }
}
