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

    /** The topic a run of this stage is requested on (pretraining and fine-tuning share trainer-service's). */
    public String requestTopic() {
        return switch (this) {
            case AUGMENT -> Topics.AUGMENT_REQUESTS;
            case PRETRAIN, FINETUNE -> Topics.TRAIN_REQUESTS;
            case DISTILL -> Topics.DISTILL_REQUESTS;
            case EVAL -> Topics.EVAL_REQUESTS;
        };
    }
}
