package dev.simclr.core.augment;

import dev.simclr.core.image.ImageOps;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast kernels of {@link ImageOps} give the very bytes of the straightforward ones they replaced
 * ({@link ImageOpsReference}, which mirror torchvision operation for operation): every uint8 colour for the
 * per-pixel colour operations, many random images and parameters for the rest. The pinned view hash in
 * {@link AugmentPolicyTest} guards the whole pipeline; this says which kernel broke.
 */
class ImageOpsExactnessTest {

    /** All 2^24 colours, in images of 2^16 pixels. */
    private static void everyColour(java.util.function.Consumer<byte[]> fast,
                                    java.util.function.Consumer<byte[]> reference, String what) {
        byte[] a = new byte[3 << 16];
        for (int block = 0; block < 256; block++) {
            for (int p = 0; p < 1 << 16; p++) {
                a[3 * p] = (byte) block;
                a[3 * p + 1] = (byte) (p >>> 8);
                a[3 * p + 2] = (byte) p;
            }
            byte[] b = a.clone();
            fast.accept(a);
            reference.accept(b);
            assertThat(a).as("%s, red %d", what, block).isEqualTo(b);
        }
    }

    @Test
    void hueOfEveryColourIsUnchanged() {
        for (double shift : new double[] {0.5, -0.37, 0.13, -1e-9}) {
            everyColour(img -> ImageOps.hue(img, 3, shift), img -> ImageOpsReference.hue(img, 3, shift),
                    "hue " + shift);
        }
        SplittableRandom rnd = new SplittableRandom(11);
        byte[] img = new byte[32 * 32 * 3];
        for (int n = 0; n < 3000; n++) {
            rnd.nextBytes(img);
            double shift = rnd.nextDouble(-0.5, 0.5);
            byte[] a = img.clone();
            byte[] b = img.clone();
            ImageOps.hue(a, 3, shift);
            ImageOpsReference.hue(b, 3, shift);
            assertThat(a).as("hue %s", shift).isEqualTo(b);
        }
    }

    @Test
    void resizedCropOfRandomBoxesIsUnchanged() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (int n = 0; n < 10000; n++) {
            int channels = rnd.nextBoolean() ? 3 : 1;
            int h = rnd.nextInt(1, 48);
            int w = rnd.nextInt(1, 48);
            byte[] img = new byte[h * w * channels + 7];
            rnd.nextBytes(img);
            int bh = rnd.nextInt(1, h + 1);
            int bw = rnd.nextInt(1, w + 1);
            int top = rnd.nextInt(h - bh + 1);
            int left = rnd.nextInt(w - bw + 1);
            // mostly the policy's case (output = input side), also shrinking and enlarging to other sizes
            int oh = n % 3 == 0 ? rnd.nextInt(1, 64) : h;
            int ow = n % 3 == 0 ? rnd.nextInt(1, 64) : w;
            boolean mirror = rnd.nextBoolean();
            byte[] expected = ImageOpsReference.resizedCrop(img, 7, h, w, channels, top, left, bh, bw, oh, ow);
            if (mirror) {
                ImageOpsReference.hflip(expected, oh, ow, channels);
            }
            assertThat(ImageOps.resizedCrop(img, 7, h, w, channels, top, left, bh, bw, oh, ow, mirror))
                    .as("%dx%dx%d box %d,%d %dx%d to %dx%d, mirrored %s", h, w, channels, top, left, bh, bw, oh, ow,
                            mirror)
                    .isEqualTo(expected);
        }
    }

    @Test
    void colourJitterInAnyOrderIsUnchanged() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int n = 0; n < 10000; n++) {
            int channels = n % 4 == 0 ? 1 : 3;
            byte[] img = new byte[(n % 3 == 0 ? 28 * 28 : 32 * 32) * channels];
            rnd.nextBytes(img);
            ViewRandom order = ViewRandom.of(n, 0, 0, 0, 0);
            int[] perm = order.permutation(4);
            // most draws as the policy makes them (strength up to 2.5), a few at the extremes
            double b = n % 50 == 0 ? 0 : rnd.nextDouble(0, 3);
            double c = n % 70 == 0 ? 0 : rnd.nextDouble(0, 3);
            double s = n % 90 == 0 ? 0 : rnd.nextDouble(0, 3);
            double h = n % 30 == 0 ? 0.5 : rnd.nextDouble(-0.5, 0.5);
            byte[] expected = img.clone();
            for (int fn : perm) {
                switch (fn) {
                    case 0 -> ImageOpsReference.brightness(expected, b);
                    case 1 -> ImageOpsReference.contrast(expected, channels, c);
                    case 2 -> ImageOpsReference.saturation(expected, channels, s);
                    default -> ImageOpsReference.hue(expected, channels, h);
                }
            }
            ImageOps.colorJitter(img, channels, perm, b, c, s, h);
            assertThat(img).as("order %s, factors %s %s %s %s, %d channels", java.util.Arrays.toString(perm), b, c,
                    s, h, channels).isEqualTo(expected);
        }
    }

    @Test
    void singleColourOperationsAreUnchanged() {
        SplittableRandom rnd = new SplittableRandom(14);
        for (int n = 0; n < 5000; n++) {
            int channels = n % 2 == 0 ? 1 : 3;
            byte[] img = new byte[32 * 32 * channels];
            rnd.nextBytes(img);
            double f = rnd.nextDouble(0, 3);
            byte[] a = img.clone();
            byte[] e = img.clone();
            switch (n % 4) {
                case 0 -> { ImageOps.brightness(a, f); ImageOpsReference.brightness(e, f); }
                case 1 -> { ImageOps.contrast(a, channels, f); ImageOpsReference.contrast(e, channels, f); }
                case 2 -> { ImageOps.saturation(a, channels, f); ImageOpsReference.saturation(e, channels, f); }
                default -> { ImageOps.grayscale(a, channels); ImageOpsReference.grayscale(e, channels); }
            }
            assertThat(a).as("op %d factor %s", n % 4, f).isEqualTo(e);
        }
    }
}
