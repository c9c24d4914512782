package dev.simclr.contracts;

/**
 * Optimiser and schedule: {@code name} sgd, adam, adamw or lars; {@code learningRate} is the base rate before
 * batch scaling ({@code lrScaling} none, linear or sqrt, relative to a batch of 256); linear warm-up for
 * {@code warmupEpochs}, then cosine decay.
 */
public record OptimizerSpec(
        OptimizerName name,
        double learningRate,
        double momentum,
        double weightDecay,
        boolean nesterov,
        int warmupEpochs,
        LrScaling lrScaling) {}
