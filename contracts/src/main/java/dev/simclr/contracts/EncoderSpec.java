package dev.simclr.contracts;

/**
 * An image encoder: {@code family} resnet (depth 18, 34, 50) or vgg (depth 11, 16), channel width multiplied
 * by {@code width} (1.0 = the published model).
 */
public record EncoderSpec(EncoderFamily family, int depth, double width) {}
