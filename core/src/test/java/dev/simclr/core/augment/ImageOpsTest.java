package dev.simclr.core.augment;

import dev.simclr.core.image.ImageOps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Each kernel against torchvision 0.14's tensor implementation on fixed inputs and parameters: every pixel within
 * one grey level (the float32 operations may round differently at .5 boundaries), and almost all identical.
 */
class ImageOpsTest {

    @TestFactory
    Stream<DynamicTest> matchesTorchvision() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : AugmentReference.json().get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
        }
        return tests.stream();
    }

    private static void check(JsonNode c) {
        AugmentReference.Image in = AugmentReference.input(c.get("input").asText());
        byte[] expected = AugmentReference.bytes(c.get("output"));
        byte[] ours = apply(c.get("op").asText(), c.get("params"), in);
        assertThat(ours).hasSameSizeAs(expected);
        int maxDiff = 0;
        int differing = 0;
        for (int i = 0; i < ours.length; i++) {
            int d = Math.abs((ours[i] & 0xff) - (expected[i] & 0xff));
            maxDiff = Math.max(maxDiff, d);
            differing += d > 0 ? 1 : 0;
        }
        assertThat(maxDiff).as("%s: largest difference in grey levels (%d values differ of %d)", c.get("name").asText(), differing, ours.length).isLessThanOrEqualTo(1);
        assertThat((double) differing / ours.length).as("%s: fraction of values that differ (largest %d)", c.get("name").asText(), maxDiff).isLessThan(0.02);
    }

    static byte[] apply(String op, JsonNode p, AugmentReference.Image in) {
        int h = in.height();
        int w = in.width();
        int ch = in.channels();
        if (op.equals("resized_crop")) {
            return ImageOps.resizedCrop(in.pixels(), 0, h, w, ch, p.get("top").asInt(), p.get("left").asInt(),
                    p.get("height").asInt(), p.get("width").asInt(), p.get("outHeight").asInt(),
                    p.get("outWidth").asInt());
        }
        byte[] img = in.pixels().clone();
        switch (op) {
            case "hflip" -> ImageOps.hflip(img, h, w, ch);
            case "brightness" -> ImageOps.brightness(img, p.get("factor").asDouble());
            case "contrast" -> ImageOps.contrast(img, ch, p.get("factor").asDouble());
            case "saturation" -> ImageOps.saturation(img, ch, p.get("factor").asDouble());
            case "hue" -> ImageOps.hue(img, ch, p.get("factor").asDouble());
            case "grayscale" -> ImageOps.grayscale(img, ch);
            case "blur" -> ImageOps.gaussianBlur(img, h, w, ch, p.get("kernel").asInt(),
                    (float) p.get("sigma").asDouble());
            case "jitter" -> {
                for (JsonNode fn : p.get("order")) {
                    switch (fn.asInt()) {
                        case 0 -> ImageOps.brightness(img, p.get("brightness").asDouble());
                        case 1 -> ImageOps.contrast(img, ch, p.get("contrast").asDouble());
                        case 2 -> ImageOps.saturation(img, ch, p.get("saturation").asDouble());
                        default -> ImageOps.hue(img, ch, p.get("hue").asDouble());
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown reference op " + op);
        }
        return img;
    }

    @Test
    void colourOperationsLeaveOneChannelImagesUnchanged() {
        AugmentReference.Image gray = AugmentReference.input("gray28");
        byte[] img = gray.pixels().clone();
        ImageOps.saturation(img, 1, 0.3f);
        ImageOps.hue(img, 1, 0.25f);
        ImageOps.grayscale(img, 1);
        assertThat(img).isEqualTo(gray.pixels());
    }

    @Test
    void badParametersAreRejectedWithTheReason() {
        byte[] img = new byte[8 * 8 * 3];
        assertThatThrownBy(() -> ImageOps.resizedCrop(img, 0, 8, 8, 3, 4, 4, 5, 2, 8, 8))
                .hasMessageContaining("outside the 8x8 image");
        assertThatThrownBy(() -> ImageOps.hue(img, 3, 0.7)).hasMessageContaining("[-0.5, 0.5]");
        assertThatThrownBy(() -> ImageOps.gaussianBlur(img, 8, 8, 3, 4, 1f)).hasMessageContaining("odd");
        assertThatThrownBy(() -> ImageOps.gaussianBlur(img, 8, 8, 3, 3, 0f)).hasMessageContaining("sigma");
    }
}
