package dev.simclr.engine.train;

import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;

/**
 * What every training loop needs: batch size, epochs, the seed of initialisation, data order and augmentation,
 * the optimiser (name, base lr before batch scaling, momentum, weight decay, Nesterov, warm-up epochs, lr
 * scaling) and how often to checkpoint (in steps; 0 = at the end of every epoch only).
 */
public record LoopSettings(int batchSize, int epochs, long seed, OptimizerName optimizer, double learningRate,
                           double momentum, double weightDecay, boolean nesterov, int warmupEpochs,
                           LrScaling lrScaling, int checkpointEverySteps) {
    public LoopSettings {
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch size must be at least 2 (batch norm), got " + batchSize);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
    }

    public LoopSettings withEpochs(int e) {
        return new LoopSettings(batchSize, e, seed, optimizer, learningRate, momentum, weightDecay, nesterov,
                warmupEpochs, lrScaling, checkpointEverySteps);
    }
}
