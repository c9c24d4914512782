package dev.simclr.core.augment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Base64;

/** torchvision's outputs and parameter samples, from core/src/test/reference/make_augment_reference.py. */
final class AugmentReference {
    private static JsonNode json;

    private AugmentReference() {}

    static synchronized JsonNode json() {
        if (json == null) {
            try (InputStream in = AugmentReference.class.getResourceAsStream("/reference/augment.json")) {
                json = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return json;
    }

    /** A reference input image: height, width, channels and its HWC bytes. */
    record Image(int height, int width, int channels, byte[] pixels) {}

    static Image input(String name) {
        JsonNode in = json().get("inputs").get(name);
        JsonNode shape = in.get("shape");
        return new Image(shape.get(0).asInt(), shape.get(1).asInt(), shape.get(2).asInt(),
                Base64.getDecoder().decode(in.get("pixels").asText()));
    }

    static byte[] bytes(JsonNode base64) {
        return Base64.getDecoder().decode(base64.asText());
    }
}
