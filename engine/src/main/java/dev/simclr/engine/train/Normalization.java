package dev.simclr.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

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

    /**
     * The N×C×H×W float tensor of {@code count} images, (p / 255 − mean) / std per channel, in the layout the
     * network that takes it runs ({@link dev.simclr.engine.model.Network#channelsLast}): channels-last — the stored
     * N×H×W×C order, seen as N×C×H×W through a transposed view, so libtorch gets NHWC strides and keeps them through
     * the network — or contiguous N×C×H×W, built here, for the narrow encoders whose channels-last kernels fail
     * (oneDNN issue 6035; see {@link dev.simclr.engine.model.Encoders#channelsLast}). The same values bit for bit
     * either way.
     */
    public NDArray toTensor(NDManager manager, byte[] pixels, int count, int height, int width, int channels,
                            boolean channelsLast) {
        int plane = height * width;
        float[] x = new float[count * channels * plane];
        if (channelsLast) {
            for (int i = 0; i < x.length; i++) {
                int c = i % channels;
                x[i] = (Byte.toUnsignedInt(pixels[i]) / 255f - mean[c]) / std[c];
            }
            return manager.create(x, new Shape(count, height, width, channels)).transpose(0, 3, 1, 2);
        }
        for (int n = 0; n < count; n++) {
            for (int c = 0; c < channels; c++) {
                float m = mean[c];
                float s = std[c];
                int to = (n * channels + c) * plane;
                int from = n * plane * channels + c;
                for (int i = 0; i < plane; i++) {
                    x[to + i] = (Byte.toUnsignedInt(pixels[from + i * channels]) / 255f - m) / s;
                }
            }
        }
        return manager.create(x, new Shape(count, channels, height, width));
    }
}
