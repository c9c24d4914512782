package dev.simclr.engine.optim;

import ai.djl.ndarray.NDArray;

/**
 * A parameter the optimiser updates: {@code key} names its state in checkpoints; {@code excluded} marks bias and
 * batch-norm parameters, which LARS leaves out of weight decay and the trust ratio.
 */
public record Trainable(String key, NDArray array, boolean excluded) {}
