package dev.simclr.core.augment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Our random parameters follow torchvision's distributions: 4,000 draws of ours against 4,000 of torchvision's
 * own samplers (two-sample Kolmogorov–Smirnov, p > 0.001; draws are seeded, so the test is repeatable). A
 * sampler with the wrong law — a linear instead of log-uniform aspect ratio, no fallback, a biased position —
 * fails it.
 */
class SamplingTest {
    private static final int N = 4000;
    private static final double P_MIN = 1e-3;

    @ParameterizedTest
    @ValueSource(strings = {"32x32", "28x28", "20x60"})
    void cropBoxesFollowTorchvision(String size) {
        int h = Integer.parseInt(size.split("x")[0]);
        int w = Integer.parseInt(size.split("x")[1]);
        List<CropBox> theirs = new ArrayList<>();
        for (JsonNode b : AugmentReference.json().get("samples").get("crop " + size)) {
            theirs.add(new CropBox(b.get(0).asInt(), b.get(1).asInt(), b.get(2).asInt(), b.get(3).asInt()));
        }
        List<CropBox> ours = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            ours.add(CropBox.sample(ViewRandom.of(7, 0, i, 0, 0), h, w, 0.08, 1.0, 3.0 / 4, 4.0 / 3));
        }
        assertSameLaw(size + " area fraction", ours, theirs, b -> (double) b.height() * b.width() / (h * w));
        assertSameLaw(size + " aspect ratio", ours, theirs, b -> (double) b.width() / b.height());
        assertSameLaw(size + " top", ours, theirs, b -> (b.top() + 0.5) / (h - b.height() + 1));
        assertSameLaw(size + " left", ours, theirs, b -> (b.left() + 0.5) / (w - b.width() + 1));
        for (CropBox b : ours) {
            assertThat(b.top() + b.height()).isLessThanOrEqualTo(h);
            assertThat(b.left() + b.width()).isLessThanOrEqualTo(w);
        }
    }

    @Test
    void jitterFactorsAndOrderFollowTorchvision() {
        JsonNode theirs = AugmentReference.json().get("samples").get("jitter s=1");
        // our draws in the order AugmentPolicy makes them: permutation, then brightness, contrast, saturation, hue
        double[][] ours = new double[N][];
        for (int i = 0; i < N; i++) {
            ViewRandom r = ViewRandom.of(11, 0, i, 0, 0);
            int[] order = r.permutation(4);
            ours[i] = new double[] {order[0], order[1], order[2], order[3], r.uniform(0.2, 1.8), r.uniform(0.2, 1.8),
                r.uniform(0.2, 1.8), r.uniform(-0.2, 0.2)};
        }
        for (int k = 4; k < 8; k++) {
            int col = k;
            double[] a = new double[N];
            double[] b = new double[N];
            for (int i = 0; i < N; i++) {
                a[i] = ours[i][col];
                b[i] = theirs.get(i).get(col).asDouble();
            }
            assertThat(new KolmogorovSmirnovTest().kolmogorovSmirnovTest(a, b)).as("factor %d", k - 4)
                    .isGreaterThan(P_MIN);
        }
        // each operation comes first equally often: proportions within 4 standard errors of torchvision's
        for (int fn = 0; fn < 4; fn++) {
            int oursFirst = 0;
            int theirsFirst = 0;
            for (int i = 0; i < N; i++) {
                oursFirst += ours[i][0] == fn ? 1 : 0;
                theirsFirst += theirs.get(i).get(0).asInt() == fn ? 1 : 0;
            }
            double se = Math.sqrt(2 * 0.25 * 0.75 / N);
            assertThat(Math.abs((oursFirst - theirsFirst) / (double) N)).as("operation %d first", fn)
                    .isLessThan(4 * se);
        }
    }

    @Test
    void blurSigmaFollowsTorchvision() {
        JsonNode theirs = AugmentReference.json().get("samples").get("blur sigma 0.1-2.0");
        double[] a = new double[N];
        double[] b = new double[N];
        for (int i = 0; i < N; i++) {
            a[i] = ViewRandom.of(13, 0, i, 0, 0).uniform(0.1, 2.0);
            b[i] = theirs.get(i).asDouble();
        }
        assertThat(new KolmogorovSmirnovTest().kolmogorovSmirnovTest(a, b)).isGreaterThan(P_MIN);
    }

    private static void assertSameLaw(String what, List<CropBox> ours, List<CropBox> theirs,
                                      ToDoubleFunction<CropBox> f) {
        double p = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(ours.stream().mapToDouble(f).toArray(),
                theirs.stream().mapToDouble(f).toArray());
        assertThat(p).as("%s: KS p-value", what).isGreaterThan(P_MIN);
    }
}
