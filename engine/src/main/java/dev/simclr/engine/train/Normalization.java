package dev.simclr.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;

/**
 * uint8 images (N×H×W×C, channels last, as stored) to the float tensor a network takes (N×C×H×W), scaled to [0, 1]
 * and standardised per channel with the training split's mean and standard deviation.
 */
public record Normalization(float[] mean, float[] std) {

    /** The normalisation a checkpoint was trained with ({@code meta.normalization}). */
    public static Normalization of(com.fasterxml.jackson.databind.JsonNode stored) {
        if (stored == null || stored.isNull()) {
            throw new IllegalArgumentException("the checkpoint records no normalization");
        }
        return dev.simclr.core.run.Checkpoint.JSON.convertValue(stored, Normalization.class);
    }

    /** Per-channel mean and standard deviation of uint8 images in [0, 1] units. */
    public static Normalization of(byte[] pixels, int channels) {
        double[] sum = new double[channels];
        double[] sq = new double[channels];
        for (int i = 0; i < pixels.length; i++) {
            double v = Byte.toUnsignedInt(pixels[i]) / 255.0;
            sum[i % channels] += v;
            sq[i % channels] += v * v;
        }
        long n = pixels.length / channels;
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = (float) (sum[c] / n);
            std[c] = (float) Math.sqrt(Math.max(1e-12, sq[c] / n - mean[c] * (double) mean[c]));
        }
        return new Normalization(mean, std);
    }

    public NDArray toTensor(NDManager manager, byte[] pixels, int count, int height, int width, int channels) {
        NDArray raw = manager.create(ByteBuffer.wrap(pixels), new Shape(count, height, width, channels),
                DataType.UINT8);
        NDArray x = raw.toType(DataType.FLOAT32, false).div(255f).transpose(0, 3, 1, 2);
        NDArray m = manager.create(mean, new Shape(1, channels, 1, 1));
        NDArray s = manager.create(std, new Shape(1, channels, 1, 1));
        return x.sub(m).div(s);
    }
}
