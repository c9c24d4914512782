package dev.simclr.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The optimisers the engine implements (their state is checkpointed with the run). */
public enum OptimizerName {
    @JsonProperty("sgd") SGD,
    @JsonProperty("adam") ADAM,
    @JsonProperty("adamw") ADAMW,
    @JsonProperty("lars") LARS;

    public String wireName() {
        return Wire.name(this);
    }

    /** The wire spelling, so that messages and labels read as the JSON does. */
    @Override
    public String toString() {
        return wireName();
    }
}
