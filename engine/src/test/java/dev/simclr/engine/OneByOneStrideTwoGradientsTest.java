package dev.simclr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import dev.simclr.engine.train.Normalization;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The convolutions of oneDNN issue 6035 — 1×1, stride 2, fewer input channels than the vector block — give the
 * exact weight gradient (a float64 sum over the same numbers) when fed through the engine's input path
 * ({@link Normalization#toTensor}, contiguous NCHW: the layout the engine gives every encoder narrow enough to have
 * such convolutions, {@code Encoders.channelsLast}), on whatever instruction set libtorch may use here.
 *
 * <p>{@code -Dsimclr.probe.channelsLast=true} feeds the same values as the channels-last view the engine used
 * before f3c7437 instead: that reproduces the fault (on an Intel Xeon with AVX-512 and AMX: SIGSEGV / abort at the
 * full ISA, a hang at AVX2 with 2 threads — see engine/README.md). Never set it in the suite.
 */
class OneByOneStrideTwoGradientsTest {

    private static final float MEAN = 0.5f;
    private static final float STD = 0.25f;

    @Test
    void strideTwoOneByOneWeightGradientsAreExactThroughTheEngineInputPath() {
        boolean channelsLast = Boolean.getBoolean("simclr.probe.channelsLast");
        // {batch, input channels, side, output channels}: the report's case, a larger image, the block-sized
        // control, a larger batch, one channel (our greyscale stem's width)
        int[][] cases = {{32, 4, 32, 8}, {32, 4, 64, 8}, {32, 8, 32, 8}, {128, 4, 16, 8}, {64, 1, 32, 16}};
        for (int[] c : cases) {
            int mb = c[0];
            int ic = c[1];
            int side = c[2];
            int oc = c[3];
            int half = side / 2;
            String label = "mb" + mb + " ic" + ic + " " + side + "×" + side + " oc" + oc;
            byte[] pixels = NarrowGradientsTest.formulaPixels(mb * side * side * ic); // NHWC bytes, as stored
            float[] w = new float[oc * ic];
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) Math.cos(0.53 * j);
            }
            float[] dy = new float[mb * oc * half * half];
            for (int j = 0; j < dy.length; j++) {
                dy[j] = (float) Math.sin(0.29 * j + 0.7);
            }
            // dW[o][i] = Σ_n,y,x dy[n,o,y,x] · x[n,i,2y,2x], in float64 over the float32 inputs libtorch sees
            double[] expected = new double[oc * ic];
            for (int n = 0; n < mb; n++) {
                for (int o = 0; o < oc; o++) {
                    for (int y = 0; y < half; y++) {
                        for (int x = 0; x < half; x++) {
                            double g = dy[((n * oc + o) * half + y) * half + x];
                            int at = ((n * side + 2 * y) * side + 2 * x) * ic;
                            for (int i = 0; i < ic; i++) {
                                expected[o * ic + i] += g * ((Byte.toUnsignedInt(pixels[at + i]) / 255f - MEAN) / STD);
                            }
                        }
                    }
                }
            }
            double norm = Math.sqrt(Arrays.stream(expected).map(v -> v * v).sum());
            try (NDManager m = NDManager.newBaseManager()) {
                float[] mean = new float[ic];
                float[] std = new float[ic];
                Arrays.fill(mean, MEAN);
                Arrays.fill(std, STD);
                NDArray input = channelsLast
                        ? m.create(ByteBuffer.wrap(pixels), new Shape(mb, side, side, ic), DataType.UINT8)
                                .toType(DataType.FLOAT32, false).div(255f).transpose(0, 3, 1, 2).sub(MEAN).div(STD)
                        : new Normalization(mean, std).toTensor(m, pixels, mb, side, side, ic, false);
                NDArray weight = m.create(w, new Shape(oc, ic, 1, 1));
                weight.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = Conv2d.conv2d(input, weight, null, new Shape(2, 2), new Shape(0, 0),
                            new Shape(1, 1), 1).singletonOrThrow();
                    gc.backward(out.mul(m.create(dy, out.getShape())).sum());
                }
                float[] got = weight.getGradient().toFloatArray();
                for (int j = 0; j < got.length; j++) {
                    assertThat(Math.abs(got[j] - expected[j]) / norm).as(label + ", dW entry " + j).isLessThan(1e-4);
                }
            }
        }
    }
}
