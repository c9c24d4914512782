package dev.simclr.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The arithmetic of a training stage's forward passes. {@code fp32}: everything in float32. {@code bf16}: forward
 * passes under libtorch's bf16 autocast (convolutions and matrix products in bfloat16), losses, gradients, master
 * weights, optimiser state and checkpoints in float32; forced even where the CPU lacks native bf16 (oneDNN emulates
 * it, slowly). {@code auto}: bf16 where the worker's device has it natively, fp32 elsewhere. The requested value is
 * part of a run's identity; the value a run used is in its result.
 */
public enum Precision {
    @JsonProperty("fp32") FP32,
    @JsonProperty("bf16") BF16,
    @JsonProperty("auto") AUTO;

    public String wireName() {
        return Wire.name(this);
    }

    /** The wire spelling, so that messages and labels read as the JSON does. */
    @Override
    public String toString() {
        return wireName();
    }
}
