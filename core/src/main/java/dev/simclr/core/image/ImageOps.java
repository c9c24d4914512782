package dev.simclr.core.image;

/**
 * Augmentation kernels on uint8 images stored height × width × channels (1 or 3 channels). Each mirrors the
 * arithmetic of torchvision's tensor implementation (torchvision.transforms.functional on uint8 tensors, float32
 * maths, the same truncation and rounding), so outputs agree within one grey level; the reference values come from
 * core/src/test/reference/make_augment_reference.py. Operations that need colour (saturation, hue,
 * grayscale) leave 1-channel images unchanged, as torchvision does.
 */
public final class ImageOps {
    private static final float R = 0.2989f;
    private static final float G = 0.587f;
    private static final float B = 0.114f;

    private ImageOps() {}

    /**
     * Crops the box (top, left, boxHeight × boxWidth) and resizes it to outHeight × outWidth with bilinear
     * interpolation, antialiased when shrinking (the triangle filter widened by the scale, as PIL and torchvision
     * with {@code antialias=True}); for enlarging this is plain bilinear with half-pixel centres.
     */
    public static byte[] resizedCrop(byte[] src, int srcOffset, int height, int width, int channels, int top,
                                     int left, int boxHeight, int boxWidth, int outHeight, int outWidth) {
        return resizedCrop(src, srcOffset, height, width, channels, top, left, boxHeight, boxWidth, outHeight,
                outWidth, false);
    }

    /** The same, then mirrored left to right when {@code mirror} ({@link #hflip}), in the same pass. */
    public static byte[] resizedCrop(byte[] src, int srcOffset, int height, int width, int channels, int top,
                                     int left, int boxHeight, int boxWidth, int outHeight, int outWidth,
                                     boolean mirror) {
        if (top < 0 || left < 0 || boxHeight <= 0 || boxWidth <= 0 || top + boxHeight > height
                || left + boxWidth > width) {
            throw new IllegalArgumentException("crop box " + top + "," + left + " " + boxHeight + "x" + boxWidth
                    + " outside the " + height + "x" + width + " image");
        }
        Filter fx = Filter.cached(boxWidth, outWidth);
        Filter fy = Filter.cached(boxHeight, outHeight);
        if (fx.twoTaps != null && fy.twoTaps != null) {
            return twoTapResize(src, srcOffset + (top * width + left) * channels, width * channels,
                    boxWidth * channels, fx.twoTaps.expanded(channels, mirror), fy.twoTaps, outHeight,
                    outWidth * channels);
        }
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
        if (mirror) {
            hflip(out, outHeight, outWidth, channels);
        }
        return out;
    }

    /**
     * The resize when every output takes at most two inputs along each axis (any enlargement, so every crop to
     * the input size): per output row, the vertical pass straight from the source bytes into one row of floats,
     * then the horizontal pass over it. The same float operations in the same order as the general path (a tap
     * of weight 0 adds +0, which changes no sum of non-negative terms), so the same bytes.
     */
    private static byte[] twoTapResize(byte[] src, int boxStart, int srcRow, int boxRow, TwoTaps fx, TwoTaps fy,
                                       int outHeight, int outRow) {
        byte[] out = new byte[outHeight * outRow];
        float[] column = new float[boxRow];
        for (int y = 0; y < outHeight; y++) {
            int a = boxStart + fy.i0[y] * srcRow;
            int b = boxStart + fy.i1[y] * srcRow;
            float wa = fy.w0[y];
            float wb = fy.w1[y];
            for (int i = 0; i < boxRow; i++) {
                column[i] = wa * (src[a + i] & 0xff) + wb * (src[b + i] & 0xff);
            }
            int o = y * outRow;
            for (int j = 0; j < outRow; j++) {
                out[o + j] = (byte) roundClamped(fx.w0[j] * column[fx.i0[j]] + fx.w1[j] * column[fx.i1[j]]);
            }
        }
        return out;
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
        applyTable(img, blendTable(factor, meanGray(img, channels, IDENTITY)));
    }

    /** Saturation: blend each pixel with its grey level; no effect on 1-channel images. */
    public static void saturation(byte[] img, int channels, double factor) {
        if (channels == 3) {
            ColorPlanes planes = ColorPlanes.of(img);
            planes.saturation(factor);
            planes.to(img);
        }
    }

    /** Hue: rotate the hue by {@code shift} turns (in [-0.5, 0.5]) through HSV in float; no effect on 1 channel. */
    public static void hue(byte[] img, int channels, double shift) {
        checkHue(shift);
        if (channels == 3) {
            ColorPlanes planes = ColorPlanes.of(img);
            planes.hue(shift);
            planes.to(img);
        }
    }

    /**
     * torchvision's ColorJitter with the adjustments in the given order (0 brightness, 1 contrast, 2 saturation,
     * 3 hue): the same bytes as calling them one after the other.
     */
    public static void colorJitter(byte[] img, int channels, int[] order, double brightness, double contrast,
                                   double saturation, double hue) {
        checkHue(hue);
        if (channels == 3) {
            // in float planes, where each adjustment is SIMD arithmetic (see ColorPlanes)
            ColorPlanes planes = ColorPlanes.of(img);
            for (int fn : order) {
                switch (fn) {
                    case 0 -> planes.brightness(brightness);
                    case 1 -> planes.contrast(contrast);
                    case 2 -> planes.saturation(saturation);
                    case 3 -> planes.hue(hue);
                    default -> throw new IllegalArgumentException("colour jitter operation " + fn + " is not 0..3");
                }
            }
            planes.to(img);
            return;
        }
        // one channel: saturation and hue do nothing, brightness and contrast compose into one table
        byte[] table = IDENTITY;
        for (int fn : order) {
            if (fn == 0) {
                table = compose(table, blendTable(brightness, 0f));
            } else if (fn == 1) {
                table = compose(table, blendTable(contrast, meanGray(img, channels, table)));
            }
        }
        applyTable(img, table);
    }

    private static void checkHue(double shift) {
        if (shift < -0.5f || shift > 0.5f) {
            throw new IllegalArgumentException("hue shift must be in [-0.5, 0.5]: " + shift);
        }
    }

    /** The mean grey level of {@code in} applied to the image, as the float torchvision blends with. */
    private static float meanGray(byte[] img, int channels, byte[] in) {
        long sum = 0;   // integers: exactly the double sum torchvision's mean comes to
        if (channels == 3) {
            for (int i = 0; i < img.length; i += 3) {
                sum += gray(in[img[i] & 0xff] & 0xff, in[img[i + 1] & 0xff] & 0xff, in[img[i + 2] & 0xff] & 0xff);
            }
        } else {
            for (byte v : img) {
                sum += in[v & 0xff] & 0xff;
            }
        }
        return (float) ((double) sum / (img.length / channels));
    }

    /** R·k, G·k, B·k in float: the terms of the grey level. */
    private static final float[] GRAY_R = new float[256];
    private static final float[] GRAY_G = new float[256];
    private static final float[] GRAY_B = new float[256];
    /** The table that changes nothing (compared by identity: no table to apply yet). */
    private static final byte[] IDENTITY = new byte[256];

    static {
        for (int k = 0; k < 256; k++) {
            GRAY_R[k] = R * k;
            GRAY_G[k] = G * k;
            GRAY_B[k] = B * k;
            IDENTITY[k] = (byte) k;
        }
    }

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

    /** Gaussian blur with an odd kernel size and reflected borders, separable, rounded to nearest. */
    public static void gaussianBlur(byte[] img, int height, int width, int channels, int kernel, float sigma) {
        if (kernel < 1 || kernel % 2 == 0) {
            throw new IllegalArgumentException("blur kernel size must be odd and positive: " + kernel);
        }
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("blur sigma must be positive: " + sigma);
        }
        int half = kernel / 2;
        if (half >= height || half >= width) {
            throw new IllegalArgumentException("blur kernel " + kernel + " too large for a " + height + "x" + width
                    + " image");
        }
        float[] k = new float[kernel];
        float total = 0;
        for (int i = 0; i < kernel; i++) {
            float x = -half + i;
            k[i] = (float) Math.exp(-0.5 * (x / sigma) * (x / sigma));
            total += k[i];
        }
        for (int i = 0; i < kernel; i++) {
            k[i] /= total;
        }
        float[] rows = new float[img.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < channels; c++) {
                    float acc = 0;
                    for (int t = 0; t < kernel; t++) {
                        int xx = reflect(x + t - half, width);
                        acc += k[t] * (img[(y * width + xx) * channels + c] & 0xff);
                    }
                    rows[(y * width + x) * channels + c] = acc;
                }
            }
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < channels; c++) {
                    float acc = 0;
                    for (int t = 0; t < kernel; t++) {
                        int yy = reflect(y + t - half, height);
                        acc += k[t] * rows[(yy * width + x) * channels + c];
                    }
                    img[(y * width + x) * channels + c] = (byte) clampRound(acc);
                }
            }
        }
    }

    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
    }

    /** Grey level of the RGB pixel at {@code i}, as torchvision's rgb_to_grayscale on uint8 (float32, truncated). */
    private static int gray(byte[] img, int i) {
        return gray(img[i] & 0xff, img[i + 1] & 0xff, img[i + 2] & 0xff);
    }

    /** The same from looked-up products: R·r is the float R·(float) r. */
    private static int gray(int r, int g, int b) {
        return (int) (GRAY_R[r] + GRAY_G[g] + GRAY_B[b]);
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

    /** {@code second} after {@code first}, as one table. */
    private static byte[] compose(byte[] first, byte[] second) {
        if (first == IDENTITY) {
            return second;
        }
        byte[] t = new byte[256];
        for (int v = 0; v < 256; v++) {
            t[v] = second[first[v] & 0xff];
        }
        return t;
    }

    private static void applyTable(byte[] img, byte[] table) {
        for (int i = 0; i < img.length; i++) {
            img[i] = table[img[i] & 0xff];
        }
    }

    private static int clampTruncate(float v) {
        return v <= 0 ? 0 : v >= 255 ? 255 : (int) v;
    }

    /**
     * {@link #clampRound} without branches or doubles: adding 2^23 to a float below 2^22 in magnitude leaves no
     * fraction bits, so the addition itself rounds to the nearest integer, ties to even (as rint), and the
     * subtraction is exact; clamping the rounded int gives what clamping the float first gives (rint is
     * monotonic and keeps 0 and 255). Resize sums are weighted means of bytes, far below 2^22.
     */
    private static int roundClamped(float v) {
        return Math.min(Math.max((int) ((v + 0x1p23f) - 0x1p23f), 0), 255);
    }

    private static int clampRound(float v) {
        return v <= 0 ? 0 : v >= 255 ? 255 : (int) Math.rint(v);
    }

    /**
     * Weights of the separable resize along one axis (torchvision's antialiased bilinear, support 1 × scale), and
     * when no output takes more than two inputs, the same weights as two taps per output.
     */
    private record Filter(int[] first, int[] count, int[] offset, float[] weights, TwoTaps twoTaps) {
        // a crop's filters depend on its side and the output side only: made once per pair (a few hundred pairs)
        private static final java.util.concurrent.ConcurrentHashMap<Long, Filter> CACHE =
                new java.util.concurrent.ConcurrentHashMap<>();

        static Filter cached(int in, int out) {
            return CACHE.computeIfAbsent((long) in << 32 | out, k -> of(in, out));
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
            return new Filter(first, count, offset, all, TwoTaps.of(first, count, offset, all));
        }

        private static float triangle(double x) {
            x = Math.abs(x);
            return x < 1 ? (float) (1 - x) : 0f;
        }
    }

    /**
     * Two taps per output: inputs i0, i1 with weights w0, w1; a one-tap output has i1 = i0 and w1 = 0. For the
     * horizontal pass the taps are expanded to one per output value (index × channels + channel), so the inner
     * loop runs over values without a channel loop, and mirrored when the output is to be flipped.
     */
    private record TwoTaps(int[] i0, int[] i1, float[] w0, float[] w1, TwoTaps[] expansions) {
        private static final int CACHED_CHANNELS = 4;

        static TwoTaps of(int[] first, int[] count, int[] offset, float[] weights) {
            int n = first.length;
            int[] i0 = new int[n];
            int[] i1 = new int[n];
            float[] w0 = new float[n];
            float[] w1 = new float[n];
            for (int x = 0; x < n; x++) {
                if (count[x] < 1 || count[x] > 2) {
                    return null;
                }
                i0[x] = first[x];
                w0[x] = weights[offset[x]];
                i1[x] = count[x] == 2 ? first[x] + 1 : first[x];
                w1[x] = count[x] == 2 ? weights[offset[x] + 1] : 0f;
            }
            TwoTaps t = new TwoTaps(i0, i1, w0, w1, new TwoTaps[2 * (CACHED_CHANNELS + 1)]);
            for (int c = 1; c <= CACHED_CHANNELS; c++) {
                t.expansions[2 * c] = t.expand(c, false);
                t.expansions[2 * c + 1] = t.expand(c, true);
            }
            return t;
        }

        TwoTaps expanded(int channels, boolean mirror) {
            return channels <= CACHED_CHANNELS ? expansions[2 * channels + (mirror ? 1 : 0)]
                    : expand(channels, mirror);
        }

        private TwoTaps expand(int channels, boolean mirror) {
            int n = i0.length * channels;
            int[] e0 = new int[n];
            int[] e1 = new int[n];
            float[] v0 = new float[n];
            float[] v1 = new float[n];
            for (int j = 0; j < n; j++) {
                int x = mirror ? i0.length - 1 - j / channels : j / channels;
                int k = j % channels;
                e0[j] = i0[x] * channels + k;
                e1[j] = i1[x] * channels + k;
                v0[j] = w0[x];
                v1[j] = w1[x];
            }
            return new TwoTaps(e0, e1, v0, v1, null);
        }
    }
}
