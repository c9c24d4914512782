package dev.simclr.core.augment;

import dev.simclr.core.image.ImageOps;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.simclr.core.augment.AugmentPolicy.Op;
import dev.simclr.core.dataset.LabelledImages;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AugmentPolicyTest {

    @Test
    void namedPoliciesOfTheAblationParse() {
        assertThat(AugmentPolicy.parse("none").ops()).isEmpty();
        assertThat(AugmentPolicy.parse("crop").ops()).containsExactly(Op.CROP);
        assertThat(AugmentPolicy.parse("flip").ops()).containsExactly(Op.FLIP);
        assertThat(AugmentPolicy.parse("color").ops()).containsExactlyInAnyOrder(Op.JITTER, Op.GRAYSCALE);
        assertThat(AugmentPolicy.parse("crop+color").ops()).containsExactlyInAnyOrder(Op.CROP, Op.JITTER, Op.GRAYSCALE);
        assertThat(AugmentPolicy.parse("flip+crop").ops()).containsExactlyInAnyOrder(Op.CROP, Op.FLIP);
        assertThat(AugmentPolicy.parse("all").ops()).isEqualTo(Set.of(Op.CROP, Op.FLIP, Op.JITTER, Op.GRAYSCALE));
        AugmentPolicy simclr = AugmentPolicy.parse("simclr");
        assertThat(simclr.ops()).contains(Op.BLUR);
        assertThat(simclr.blurOnlyLarge()).isTrue();
        assertThat(AugmentPolicy.NAMED).allSatisfy(AugmentPolicy::parse);
    }

    @Test
    void settingsOverrideDefaultsAndShowInTheCanonicalForm() {
        AugmentPolicy p = AugmentPolicy.parse("Crop+Color  strength=0.5 scale=0.2:1 size=24");
        assertThat(p.settings().strength()).isEqualTo(0.5);
        assertThat(p.settings().scaleMin()).isEqualTo(0.2);
        assertThat(p.outHeight(32)).isEqualTo(24);
        assertThat(p.canonical()).isEqualTo("crop+color scale=0.2:1.0 strength=0.5 size=24");
        assertThat(AugmentPolicy.parse(p.canonical())).isEqualTo(p);
    }

    @Test
    void badSpecsNameTheProblem() {
        assertThatThrownBy(() -> AugmentPolicy.parse("crop+rotate")).hasMessageContaining("\"rotate\"")
                .hasMessageContaining("known are");
        assertThatThrownBy(() -> AugmentPolicy.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AugmentPolicy.parse("crop scale=0:1")).hasMessageContaining("scale:");
        assertThatThrownBy(() -> AugmentPolicy.parse("crop scale=0.5")).hasMessageContaining("low:high");
        assertThatThrownBy(() -> AugmentPolicy.parse("flip flip=1.5")).hasMessageContaining("flip: a probability");
        assertThatThrownBy(() -> AugmentPolicy.parse("color strength=3")).hasMessageContaining("strength:");
        assertThatThrownBy(() -> AugmentPolicy.parse("color strength=lots")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> AugmentPolicy.parse("color speed=2")).hasMessageContaining("unknown setting \"speed\"");
        assertThatThrownBy(() -> AugmentPolicy.parse("color 0.5")).hasMessageContaining("key=value");
        assertThatThrownBy(() -> AugmentPolicy.parse("crop size=12.5")).hasMessageContaining("whole number");
    }

    @Test
    void aViewIsAPureFunctionOfSeedDatasetImageEpochAndViewNumber() {
        LabelledImages images = images(3, 40);
        try (Augmenter one = new Augmenter(images, AugmentPolicy.parse("simclr"), 5, "ds/v1/train", 2, 1);
             Augmenter three = new Augmenter(images, AugmentPolicy.parse("simclr"), 5, "ds/v1/train", 2, 3);
             Augmenter otherSeed = new Augmenter(images, AugmentPolicy.parse("simclr"), 6, "ds/v1/train", 2, 1);
             Augmenter otherData = new Augmenter(images, AugmentPolicy.parse("simclr"), 5, "ds/v2/train", 2, 1)) {
            int[] batch = {7, 3, 39, 0, 12};
            byte[][] a = one.views(2, 0, batch);
            assertThat(three.views(2, 9, batch)).isDeepEqualTo(a);
            assertThat(one.views(2, 0, batch)).isDeepEqualTo(a);
            // the batch a view comes in does not matter: image 3's views alone equal its slot in the batch
            byte[][] single = one.views(2, 5, new int[] {3});
            int bytes = one.viewBytes();
            assertThat(java.util.Arrays.copyOfRange(a[0], bytes, 2 * bytes)).isEqualTo(single[0]);
            assertThat(java.util.Arrays.copyOfRange(a[1], bytes, 2 * bytes)).isEqualTo(single[1]);
            assertThat(a[0]).isNotEqualTo(a[1]);
            assertThat(one.views(3, 0, batch)[0]).isNotEqualTo(a[0]);
            assertThat(otherSeed.views(2, 0, batch)[0]).isNotEqualTo(a[0]);
            assertThat(otherData.views(2, 0, batch)[0]).isNotEqualTo(a[0]);
        }
    }

    /**
     * The bytes of a view depend on nothing but its inputs and this code: pinned here so that a change of the
     * random stream, of an operation's arithmetic or of the draw order shows up (and is a conscious decision:
     * it changes every stored view shard).
     */
    @Test
    void viewBytesArePinned() throws Exception {
        AugmentReference.Image rgb = AugmentReference.input("rgb32");
        LabelledImages one = new LabelledImages(32, 32, 3, rgb.pixels(), new long[] {0});
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Augmenter a = new Augmenter(one, AugmentPolicy.parse("simclr blur=1 kernel=0.2"), 1, "pin", 1, 1)) {
            for (int epoch = 0; epoch < 16; epoch++) {
                sha.update(a.view(0, epoch, 0));
            }
        }
        assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(PINNED_SHA256);
    }

    static final String PINNED_SHA256 = "50862381c58d2c573a85fd07d862297140705a52a14a6578752645e7d2e2d682";

    @Test
    void flipAndGrayscaleHappenAtTheirProbabilities() {
        LabelledImages images = images(3, 1);
        int n = 4000;
        int flipped = 0;
        int gray = 0;
        AugmentPolicy flip = AugmentPolicy.parse("flip");
        AugmentPolicy grayscale = AugmentPolicy.parse("grayscale");
        byte[] mirrored = images.pixels().clone();
        ImageOps.hflip(mirrored, images.height(), images.width(), 3);
        for (int i = 0; i < n; i++) {
            byte[] f = flip.apply(images.pixels(), 0, images.height(), images.width(), 3, ViewRandom.of(1, 2, 0, i, 0));
            flipped += java.util.Arrays.equals(f, mirrored) ? 1 : 0;
            byte[] g = grayscale.apply(images.pixels(), 0, images.height(), images.width(), 3,
                    ViewRandom.of(1, 2, 0, i, 0));
            gray += g[0] == g[1] && g[1] == g[2] && g[3] == g[4] ? 1 : 0;
        }
        assertThat(flipped / (double) n).isCloseTo(0.5, org.assertj.core.data.Offset.offset(4 * Math.sqrt(0.25 / n)));
        assertThat(gray / (double) n).isCloseTo(0.2, org.assertj.core.data.Offset.offset(4 * Math.sqrt(0.16 / n)));
    }

    @Test
    void oneChannelImagesGetCropFlipBrightnessAndContrastOnly() {
        LabelledImages gray = images(1, 50);
        try (Augmenter a = new Augmenter(gray, AugmentPolicy.parse("all"), 3, "g", 2, 1)) {
            byte[][] v = a.views(0, 0, new int[] {1, 2});
            assertThat(v[0]).hasSize(2 * 28 * 28);
            assertThat(v[0]).isNotEqualTo(java.util.Arrays.copyOfRange(gray.pixels(), 28 * 28, 3 * 28 * 28));
        }
    }

    /** Distinct, asymmetric test images: a diagonal gradient plus a pattern varying by index. */
    static LabelledImages images(int channels, int count) {
        int h = 28;
        int w = 28;
        byte[] px = new byte[count * h * w * channels];
        for (int n = 0; n < count; n++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < channels; c++) {
                        px[((n * h + y) * w + x) * channels + c] = (byte) (x * 7 + y * 3 + c * 60 + n * 13 + (x * y % 5) * 9);
                    }
                }
            }
        }
        return new LabelledImages(h, w, channels, px, new long[count]);
    }
}
