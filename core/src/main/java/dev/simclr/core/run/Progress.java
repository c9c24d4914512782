package dev.simclr.core.run;

/**
 * Where a run stands after a step: {@code dataWaitSeconds} is the time the step spent waiting for its input
 * (views from augment-service or in-process augmentation) — the stall a GPU trainer suffers.
 */
public record Progress(int epoch, long step, long totalSteps, double loss, double learningRate,
                       double imagesPerSecond, double dataWaitSeconds, Double knnAccuracy) {}
