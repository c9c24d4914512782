package dev.simclr.engine.optim;

import dev.simclr.contracts.LrScaling;

/**
 * Learning rate per step: the base rate scaled by batch size ({@code none}; {@code linear}: lr·B/256, as SimCLR's
 * 0.3·B/256; {@code sqrt}: lr·√B, as SimCLR's 0.075·√B), linear warm-up over {@code warmupSteps}, then cosine decay
 * to zero at {@code totalSteps}.
 */
public record Schedule(double peak, long warmupSteps, long totalSteps) {

    public static Schedule of(double baseLr, LrScaling scaling, int batchSize, long warmupSteps, long totalSteps) {
        double peak = switch (scaling) {
            case NONE -> baseLr;
            case LINEAR -> baseLr * batchSize / 256.0;
            case SQRT -> baseLr * Math.sqrt(batchSize);
        };
        return new Schedule(peak, Math.min(warmupSteps, totalSteps), Math.max(1, totalSteps));
    }

    /** The rate for 0-based {@code step}. */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long decay = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decay);
        return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
