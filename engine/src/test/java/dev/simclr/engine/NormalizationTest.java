package dev.simclr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.simclr.engine.train.Normalization;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The network's input, in either layout ({@code toTensor}'s contiguous N×C×H×W built in Java, or the channels-last
 * view of the stored bytes): the same float32 values, bit for bit, as libtorch computing (p / 255 − mean) / std on
 * the transposed view.
 */
class NormalizationTest {

    @Test
    void bothLayoutsHoldExactlyTheValuesOfTheTransposedView() {
        for (int channels : new int[] {1, 3}) {
            byte[] pixels = new byte[5 * 7 * 6 * channels];
            new Random(channels).nextBytes(pixels);
            float[] mean = {0.2860f, 0.41f, 0.5f};
            float[] std = {0.3530f, 0.27f, 0.31f};
            Normalization norm = new Normalization(java.util.Arrays.copyOf(mean, channels),
                    java.util.Arrays.copyOf(std, channels));
            for (boolean channelsLast : new boolean[] {false, true}) {
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray ours = norm.toTensor(m, pixels, 5, 7, 6, channels, channelsLast);
                    NDArray view = m.create(ByteBuffer.wrap(pixels), new Shape(5, 7, 6, channels), DataType.UINT8)
                            .toType(DataType.FLOAT32, false).div(255f).transpose(0, 3, 1, 2)
                            .sub(m.create(norm.mean(), new Shape(1, channels, 1, 1)))
                            .div(m.create(norm.std(), new Shape(1, channels, 1, 1)));
                    assertThat(ours.getShape()).isEqualTo(new Shape(5, channels, 7, 6));
                    assertThat(ours.toFloatArray()).as(channels + " channel(s), channels-last " + channelsLast)
                            .containsExactly(view.toFloatArray());
                }
            }
        }
    }
}
