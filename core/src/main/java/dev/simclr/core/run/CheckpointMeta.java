package dev.simclr.core.run;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.EncoderSpec;

/**
 * What runs read of a checkpoint's {@code meta}, typed: its kind ({@code pretrain}, {@code classifier},
 * {@code linear-eval}), the encoder it holds, the images it takes, their normalisation (mean and std per channel)
 * and where training stood. The loops write more (settings, optimiser steps), which only they read back.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckpointMeta(String kind, Encoder spec, Integer inChannels, JsonNode normalization, long step,
                             int epoch, Double bestValidationAccuracy, Integer bestEpoch) {
    public static final String PRETRAIN = "pretrain";
    public static final String CLASSIFIER = "classifier";

    /** The encoder part of a loop's spec (the rest — heads, projection — is the loop's own). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Encoder(EncoderFamily family, int depth, double width) {}

    public static CheckpointMeta of(Checkpoint c) {
        try {
            return Checkpoint.JSON.treeToValue(c.meta(), CheckpointMeta.class);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a checkpoint of this platform: unreadable meta ("
                    + e.getMessage().split("\n")[0] + ")", e);
        }
    }

    public boolean isClassifier() {
        return CLASSIFIER.equals(kind);
    }

    /** The encoder as a request names it; fails with a clear message when the checkpoint holds none. */
    public EncoderSpec encoder() {
        if (spec == null || spec.family() == null) {
            throw new IllegalArgumentException("the checkpoint holds no encoder (kind " + kind + ")");
        }
        return new EncoderSpec(spec.family(), spec.depth(), spec.width());
    }

    /** "resnet18 ×0.25": how reports and errors name an encoder. */
    public static String describe(EncoderSpec e) {
        return e.family().wireName() + e.depth() + " ×" + e.width();
    }
}
