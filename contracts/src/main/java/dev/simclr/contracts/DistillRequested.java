package dev.simclr.contracts;

import java.util.List;

/**
 * Distil a fine-tuned teacher into a student: {@code mode} full (whole student trained) or frozen-base (the
 * student's encoder frozen, a dense head with {@code denseHidden} units trained). Loss:
 * {@code (1-alpha)·T²·KL(teacher/T ‖ student/T) + alpha·CE(labels)}; stops early after {@code patienceEpochs}
 * epochs without a better validation accuracy.
 */
public record DistillRequested(
        int schemaVersion,
        String experimentId,
        String runId,
        String teacherCheckpoint,
        EncoderSpec student,
        String mode,
        List<Integer> denseHidden,
        double temperature,
        double alpha,
        DatasetRef unlabelled,
        DatasetRef labelled,
        int batchSize,
        int epochs,
        int patienceEpochs,
        OptimizerSpec optimizer,
        long seed) implements Event {}
