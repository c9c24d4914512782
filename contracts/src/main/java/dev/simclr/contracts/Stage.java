package dev.simclr.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kinds of run an experiment is made of. */
public enum Stage {
    @JsonProperty("augment") AUGMENT,
    @JsonProperty("pretrain") PRETRAIN,
    @JsonProperty("finetune") FINETUNE,
    @JsonProperty("distill") DISTILL,
    @JsonProperty("eval") EVAL;

    public String wireName() {
        return Wire.name(this);
    }
}
