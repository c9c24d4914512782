package dev.simclr.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the base learning rate scales with the batch size (relative to a batch of 256 for linear). */
public enum LrScaling {
    @JsonProperty("none") NONE,
    @JsonProperty("linear") LINEAR,
    @JsonProperty("sqrt") SQRT;

    public String wireName() {
        return Wire.name(this);
    }

    /** The wire spelling, so that messages and labels read as the JSON does. */
    @Override
    public String toString() {
        return wireName();
    }
}
