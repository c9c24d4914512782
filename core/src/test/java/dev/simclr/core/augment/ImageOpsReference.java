package dev.simclr.core.augment;

import dev.simclr.core.image.ImageOps;
/**
 * The straightforward kernels as they were before the fast ones in {@link ImageOps} (the code the pinned view
 * hash was made with), kept as the reference the fast ones must equal byte for byte (ImageOpsExactnessTest).
 *
 * <p>Augmentation kernels on uint8 images stored height × width × channels (1 or 3 channels). Each mirrors the
 * arithmetic of torchvision's tensor implementation (torchvision.transforms.functional on uint8 tensors, float32
 * maths, the same truncation and rounding), so outputs agree within one grey level; the reference values come from
 * core/src/test/reference/make_augment_reference.py. Operations that need colour (saturation, hue,
 * grayscale) leave 1-channel images unchanged, as torchvision does.
 */
final class ImageOpsReference {
    private static final float R = 0.2989f;
    private static final float G = 0.587f;
    private static final float B = 0.114f;

    private ImageOpsReference() {}

    /**
     * Crops the box (top, left, boxHeight × boxWidth) and resizes it to outHeight × outWidth with bilinear
     * interpolation, antialiased when shrinking (the triangle filter widened by the scale, as PIL and torchvision
     * with {@code antialias=True}); for enlarging this is plain bilinear with half-pixel centres.
     */
    public static byte[] resizedCrop(byte[] src, int srcOffset, int height, int width, int channels, int top,
                                     int left, int boxHeight, int boxWidth, int outHeight, int outWidth) {
        if (top < 0 || left < 0 || boxHeight <= 0 || boxWidth <= 0 || top + boxHeight > height
                || left + boxWidth > width) {
            throw new IllegalArgumentException("crop box " + top + "," + left + " " + boxHeight + "x" + boxWidth
                    + " outside the " + height + "x" + width + " image");
        }
        Filter fx = Filter.of(boxWidth, outWidth);
        Filter fy = Filter.of(boxHeight, outHeight);
        // the box as float rows, then a vertical pass as row-wise multiply-adds (which the JIT vectorises), then
        // a horizontal pass per output pixel with rounding
        int boxRow = boxWidth * channels;
        float[] box = new float[boxHeight * boxRow];
        for (int y = 0; y < boxHeight; y++) {
            int from = srcOffset + ((top + y) * width + left) * channels;
            int to = y * boxRow;
            for (int i = 0; i < boxRow; i++) {
                box[to + i] = src[from + i] & 0xff;
            }
        }
        float[] columns = new float[outHeight * boxRow];
        for (int y = 0; y < outHeight; y++) {
            int o = y * boxRow;
            int wo = fy.offset[y];
            for (int t = 0; t < fy.count[y]; t++) {
                float wt = fy.weights[wo + t];
                int s = (fy.first[y] + t) * boxRow;
                for (int i = 0; i < boxRow; i++) {
                    columns[o + i] += wt * box[s + i];
                }
            }
        }
        byte[] out = new byte[outHeight * outWidth * channels];
        if (fx.maxCount() <= 2) {
            twoTapRows(columns, boxRow, fx, out, outHeight, outWidth, channels);
            return out;
        }
        for (int y = 0; y < outHeight; y++) {
            int row = y * boxRow;
            int o = y * outWidth * channels;
            for (int x = 0; x < outWidth; x++) {
                int first = row + fx.first[x] * channels;
                int n = fx.count[x];
                int wo = fx.offset[x];
                for (int k = 0; k < channels; k++) {
                    float acc = 0;
                    int s = first + k;
                    for (int t = 0; t < n; t++, s += channels) {
                        acc += fx.weights[wo + t] * columns[s];
                    }
                    out[o++] = (byte) clampRound(acc);
                }
            }
        }
        return out;
    }

    /** The horizontal pass when every output takes at most two inputs (any enlargement): no tap loop. */
    private static void twoTapRows(float[] columns, int boxRow, Filter fx, byte[] out, int outHeight, int outWidth,
                                   int channels) {
        int[] i0 = new int[outWidth];
        int[] i1 = new int[outWidth];
        float[] w0 = new float[outWidth];
        float[] w1 = new float[outWidth];
        for (int x = 0; x < outWidth; x++) {
            i0[x] = fx.first[x] * channels;
            w0[x] = fx.weights[fx.offset[x]];
            boolean two = fx.count[x] == 2;
            i1[x] = two ? i0[x] + channels : i0[x];
            w1[x] = two ? fx.weights[fx.offset[x] + 1] : 0f;
        }
        int o = 0;
        for (int y = 0; y < outHeight; y++) {
            int row = y * boxRow;
            for (int x = 0; x < outWidth; x++) {
                int a = row + i0[x];
                int b = row + i1[x];
                float wa = w0[x];
                float wb = w1[x];
                for (int k = 0; k < channels; k++) {
                    out[o++] = (byte) clampRound(wa * columns[a + k] + wb * columns[b + k]);
                }
            }
        }
    }

    /** Mirrors the image left to right, in place. */
    public static void hflip(byte[] img, int height, int width, int channels) {
        for (int y = 0; y < height; y++) {
            int row = y * width * channels;
            for (int a = 0, b = width - 1; a < b; a++, b--) {
                for (int k = 0; k < channels; k++) {
                    int i = row + a * channels + k;
                    int j = row + b * channels + k;
                    byte t = img[i];
                    img[i] = img[j];
                    img[j] = t;
                }
            }
        }
    }

    /** Brightness: blend with black, {@code factor·x}, clamped and truncated as torchvision does. */
    public static void brightness(byte[] img, double factor) {
        applyTable(img, blendTable(factor, 0f));
    }

    /** Contrast: blend with the mean grey level of the image. */
    public static void contrast(byte[] img, int channels, double factor) {
        double sum = 0;
        int n = img.length / channels;
        if (channels == 3) {
            for (int i = 0; i < img.length; i += 3) {
                sum += gray(img, i);
            }
        } else {
            for (byte v : img) {
                sum += v & 0xff;
            }
        }
        applyTable(img, blendTable(factor, (float) (sum / n)));
    }

    /** Saturation: blend each pixel with its grey level; no effect on 1-channel images. */
    public static void saturation(byte[] img, int channels, double factor) {
        if (channels != 3) {
            return;
        }
        // as torch: each Python-double scalar is rounded to float32 on its own
        float keep = (float) factor;
        float mix = (float) (1.0 - factor);
        for (int i = 0; i < img.length; i += 3) {
            float g = gray(img, i) * mix;
            for (int k = 0; k < 3; k++) {
                img[i + k] = (byte) clampTruncate(keep * (img[i + k] & 0xff) + g);
            }
        }
    }

    /** Hue: rotate the hue by {@code shift} turns (in [-0.5, 0.5]) through HSV in float; no effect on 1 channel. */
    public static void hue(byte[] img, int channels, double shift) {
        if (shift < -0.5f || shift > 0.5f) {
            throw new IllegalArgumentException("hue shift must be in [-0.5, 0.5]: " + shift);
        }
        if (channels != 3) {
            return;
        }
        // branch-light: the sector's numerators are selected, not branched on, and the output channels come from
        // a table of which of (v, q, p, t) each takes; the arithmetic is torchvision's, operation for operation
        float[] vqpt = new float[4];
        float hueShift = (float) shift;
        for (int i = 0; i < img.length; i += 3) {
            float r = (img[i] & 0xff) / 255f;
            float g = (img[i + 1] & 0xff) / 255f;
            float b = (img[i + 2] & 0xff) / 255f;
            float max = Math.max(r, Math.max(g, b));
            float min = Math.min(r, Math.min(g, b));
            boolean flat = max == min;
            float range = max - min;
            float s = range / (flat ? 1f : max);
            float d = flat ? 1f : range;
            boolean isR = max == r;
            boolean isG = !isR && max == g;
            float first = isR ? max - b : isG ? max - r : max - g;
            float second = isR ? max - g : isG ? max - b : max - r;
            float offset = isR ? 0f : isG ? 2f : 4f;
            float h = offset + first / d - second / d;
            h = h / 6f + 1f;           // in [5/6, 2): fmod(h, 1) is one exact subtraction
            h = h >= 1f ? h - 1f : h;
            h += hueShift;             // in (-0.5, 1.5): h mod 1 likewise
            h = h < 0f ? h + 1f : h >= 1f ? h - 1f : h;
            float h6 = h * 6f;
            int sector = (int) h6;
            float f = h6 - sector;
            // v, s in [0, 1] keep p, q, t in [0, 1]: torchvision's clamps never bind
            vqpt[0] = max;
            vqpt[1] = max * (1f - s * f);
            vqpt[2] = max * (1f - s);
            vqpt[3] = max * (1f - s * (1f - f));
            int k = sector % 6;
            img[i] = (byte) (int) (vqpt[HUE_R[k]] * 255f);
            img[i + 1] = (byte) (int) (vqpt[HUE_G[k]] * 255f);
            img[i + 2] = (byte) (int) (vqpt[HUE_B[k]] * 255f);
        }
    }

    // which of (v, q, p, t) is red, green, blue in each sixth of the hue circle (torchvision's _hsv2rgb)
    private static final int[] HUE_R = {0, 1, 2, 2, 3, 0};
    private static final int[] HUE_G = {3, 0, 0, 1, 2, 2};
    private static final int[] HUE_B = {2, 2, 3, 0, 0, 1};

    /** Replaces every pixel by its grey level (ITU-R 601 weights, truncated), kept as 3 channels. */
    public static void grayscale(byte[] img, int channels) {
        if (channels != 3) {
            return;
        }
        for (int i = 0; i < img.length; i += 3) {
            byte g = (byte) gray(img, i);
            img[i] = g;
            img[i + 1] = g;
            img[i + 2] = g;
        }
    }

    /** Grey level of the RGB pixel at {@code i}, as torchvision's rgb_to_grayscale on uint8 (float32, truncated). */
    private static int gray(byte[] img, int i) {
        return (int) (R * (img[i] & 0xff) + G * (img[i + 1] & 0xff) + B * (img[i + 2] & 0xff));
    }

    /** {@code ratio·x + (1 − ratio)·other} for every x, clamped to [0, 255] and truncated (torchvision's _blend). */
    private static byte[] blendTable(double ratio, float other) {
        float keep = (float) ratio;
        float mix = (float) (1.0 - ratio) * other;
        byte[] table = new byte[256];
        for (int v = 0; v < 256; v++) {
            table[v] = (byte) clampTruncate(keep * v + mix);
        }
        return table;
    }

    private static void applyTable(byte[] img, byte[] table) {
        for (int i = 0; i < img.length; i++) {
            img[i] = table[img[i] & 0xff];
        }
    }

    private static int clampTruncate(float v) {
        return v <= 0 ? 0 : v >= 255 ? 255 : (int) v;
    }

    private static int clampRound(float v) {
        return v <= 0 ? 0 : v >= 255 ? 255 : (int) Math.rint(v);
    }

    /** Weights of the separable resize along one axis (torchvision's antialiased bilinear, support 1 × scale). */
    private record Filter(int[] first, int[] count, int[] offset, float[] weights) {
        int maxCount() {
            int m = 0;
            for (int c : count) {
                m = Math.max(m, c);
            }
            return m;
        }

        static Filter of(int in, int out) {
            double scale = (double) in / out;
            double support = scale >= 1 ? scale : 1.0;
            double invScale = scale >= 1 ? 1.0 / scale : 1.0;
            int[] first = new int[out];
            int[] count = new int[out];
            int[] offset = new int[out];
            float[] all = new float[out * ((int) Math.ceil(support) * 2 + 1)];
            int used = 0;
            for (int i = 0; i < out; i++) {
                double center = scale * (i + 0.5);
                int lo = Math.max((int) (center - support + 0.5), 0);
                int hi = Math.min((int) (center + support + 0.5), in);
                float total = 0;
                for (int j = lo; j < hi; j++) {
                    float w = triangle((j - center + 0.5) * invScale);
                    all[used + j - lo] = w;
                    total += w;
                }
                for (int j = lo; j < hi; j++) {
                    all[used + j - lo] = total == 0 ? 0 : all[used + j - lo] / total;
                }
                first[i] = lo;
                count[i] = hi - lo;
                offset[i] = used;
                used += hi - lo;
            }
            return new Filter(first, count, offset, all);
        }

        private static float triangle(double x) {
            x = Math.abs(x);
            return x < 1 ? (float) (1 - x) : 0f;
        }
    }
}
