package dev.simclr.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a student is distilled: the whole network trained, or its encoder frozen under a trainable dense head. */
public enum DistillMode {
    @JsonProperty("full") FULL,
    @JsonProperty("frozen-base") FROZEN_BASE;

    public String wireName() {
        return Wire.name(this);
    }

    /** The wire spelling, so that messages and labels read as the JSON does. */
    @Override
    public String toString() {
        return wireName();
    }
}
