package dev.simclr.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What an evaluation measures: the checkpoint's own classifier on the test split, a linear classifier on frozen
 * features (of the dataset the encoder was trained on, or of another one: transfer), or raw pixels (a baseline).
 */
public enum EvalKind {
    @JsonProperty("test-accuracy") TEST_ACCURACY,
    @JsonProperty("linear") LINEAR,
    @JsonProperty("transfer") TRANSFER,
    @JsonProperty("pixels") PIXELS;

    public String wireName() {
        return Wire.name(this);
    }

    /** The wire spelling, so that messages and labels read as the JSON does. */
    @Override
    public String toString() {
        return wireName();
    }
}
