package dev.simclr.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The synthetic colour domain keeps every image's shape, gives it colours unrelated to its class, reproducibly. */
class ColouriseTest {
    static final int SIDE = 6;

    static LabelledImages grey(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * SIDE * SIDE];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) r.nextInt(256);
        }
        px[0] = 0; // image 0 has a black and a white pixel
        px[1] = (byte) 255;
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(10);
        }
        return new LabelledImages(SIDE, SIDE, 1, px, labels);
    }

    @Test
    void shapeIsKeptColoursAreReproducibleAndDoNotDependOnTheClass() {
        LabelledImages g = grey(200, 1);
        LabelledImages c = Colourise.apply(g, 5);
        assertThat(c.channels()).isEqualTo(3);
        assertThat(c.labels()).containsExactly(g.labels());
        assertThat(Colourise.apply(g, 5).pixels()).isEqualTo(c.pixels());
        assertThat(Colourise.apply(g, 6).pixels()).isNotEqualTo(c.pixels());
        // the same pixels under other labels get the same colours: the class plays no part
        long[] relabelled = g.labels().clone();
        java.util.Arrays.fill(relabelled, 3);
        assertThat(Colourise.apply(new LabelledImages(SIDE, SIDE, 1, g.pixels(), relabelled), 5).pixels())
                .isEqualTo(c.pixels());
        // black is the background colour (dark), white the foreground colour (bright, one channel at 255)
        int[] bg = rgb(c, 0, 0);
        int[] fg = rgb(c, 0, 1);
        assertThat(java.util.Arrays.stream(bg).boxed()).allSatisfy(v -> assertThat(v).isBetween(0, 95));
        assertThat(java.util.Arrays.stream(fg).boxed()).allSatisfy(v -> assertThat(v).isBetween(96, 255))
                .contains(255);
        // within an image, every channel is a non-decreasing function of the grey level: the shape is kept
        Set<String> colours = new HashSet<>();
        for (int i = 0; i < g.count(); i++) {
            for (int p = 0; p < SIDE * SIDE; p++) {
                for (int q = 0; q < SIDE * SIDE; q++) {
                    int gp = g.pixels()[i * SIDE * SIDE + p] & 0xFF;
                    int gq = g.pixels()[i * SIDE * SIDE + q] & 0xFF;
                    if (gp < gq) {
                        int[] a = rgb(c, i, p);
                        int[] b = rgb(c, i, q);
                        for (int ch = 0; ch < 3; ch++) {
                            assertThat(a[ch]).isLessThanOrEqualTo(b[ch]);
                        }
                    }
                }
            }
            colours.add(java.util.Arrays.toString(rgb(c, i, 1)));
        }
        assertThat(colours).as("a colour per image").hasSizeGreaterThan(190);
    }

    @Test
    void onlyGreyImagesAreColourised() {
        assertThatThrownBy(() -> Colourise.apply(new LabelledImages(1, 1, 3, new byte[3], new long[1]), 1))
                .isInstanceOf(DatasetImportException.class).hasMessageContaining("3 channels");
    }

    private static int[] rgb(LabelledImages c, int image, int pixel) {
        int o = (image * SIDE * SIDE + pixel) * 3;
        return new int[] {c.pixels()[o] & 0xFF, c.pixels()[o + 1] & 0xFF, c.pixels()[o + 2] & 0xFF};
    }
}
