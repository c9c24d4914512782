package dev.simclr.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The encoder architectures the engine builds, each with the depths it knows. */
public enum EncoderFamily {
    @JsonProperty("resnet") RESNET(List.of(18, 34, 50)),
    @JsonProperty("vgg") VGG(List.of(11, 16));

    private final List<Integer> depths;

    EncoderFamily(List<Integer> depths) {
        this.depths = depths;
    }

    public List<Integer> depths() {
        return depths;
    }

    public String wireName() {
        return Wire.name(this);
    }

    /** The wire spelling, so that messages and labels read as the JSON does. */
    @Override
    public String toString() {
        return wireName();
    }
}
