package dev.simclr.core.image;

/**
 * The colour adjustments of {@link ImageOps} on an RGB image held as three float planes of integer values
 * 0..255, giving the very bytes of the per-pixel code in {@link ImageOps} (the tests compare every colour).
 *
 * <p>Why: the per-pixel code is branchy scalar work (which channel is the maximum, which sixth of the hue
 * circle), about 20 cycles a pixel for hue. Here every step is a short loop of float arithmetic over arrays,
 * which C2 turns into SIMD (loops are kept short on purpose: C2 only unrolls, and so vectorises, small loop
 * bodies). Choices are made without branches by exact arithmetic: an indicator is 0 or 1 computed with min/max
 * from a difference known to be either 0 or at least some bound, and "select" is a sum of value × indicator
 * in which every other term is +0, so it is exact. The float operations that make up torchvision's result are
 * the same operations, in the same order, as in the per-pixel code.
 */
final class ColorPlanes {
    private static final float R = 0.2989f;
    private static final float G = 0.587f;
    private static final float B = 0.114f;
    private static final float ROUND = 0x1p23f;

    final float[] r;
    final float[] g;
    final float[] b;
    // per-plane work loops over this: one call site, so one compiled copy of the loop rather than three
    private final float[][] rgb;
    private final float[][] t;
    private int n;

    private ColorPlanes(int capacity) {
        r = new float[capacity];
        g = new float[capacity];
        b = new float[capacity];
        rgb = new float[][] {r, g, b};
        t = new float[23][capacity];
    }

    private static final ThreadLocal<ColorPlanes> SCRATCH = new ThreadLocal<>();

    /** This thread's planes, holding the RGB image {@code img} (interleaved bytes). */
    static ColorPlanes of(byte[] img) {
        int pixels = img.length / 3;
        ColorPlanes p = SCRATCH.get();
        if (p == null || p.r.length < pixels) {
            p = new ColorPlanes(pixels);
            SCRATCH.set(p);
        }
        p.n = pixels;
        float[] r = p.r;
        float[] g = p.g;
        float[] b = p.b;
        for (int i = 0, k = 0; i < pixels; i++, k += 3) {
            r[i] = img[k] & 0xff;
            g[i] = img[k + 1] & 0xff;
            b[i] = img[k + 2] & 0xff;
        }
        return p;
    }

    /** Writes the planes back as interleaved bytes. */
    void to(byte[] img) {
        for (int i = 0, k = 0; i < n; i++, k += 3) {
            img[k] = (byte) (int) r[i];
            img[k + 1] = (byte) (int) g[i];
            img[k + 2] = (byte) (int) b[i];
        }
    }

    /** ImageOps' blendTable as arithmetic: clampTruncate(keep·x + mix) on every value. */
    void blend(float keep, float mix) {
        for (float[] x : rgb) {
            blend(x, keep, mix);
        }
    }

    private void blend(float[] x, float keep, float mix) {
        for (int i = 0; i < n; i++) {
            x[i] = truncate(Math.min(Math.max(keep * x[i] + mix, 0f), 255f));
        }
    }

    /** Brightness as ImageOps.brightness. */
    void brightness(double factor) {
        blend((float) factor, (float) (1.0 - factor) * 0f);
    }

    /** Contrast as ImageOps.contrast: the blend with the mean grey level. */
    void contrast(double factor) {
        float[] grey = t[0];
        grey(grey);
        // the grey levels are integers and their sum is below 2^24, so float sums are exact in any order
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += grey[i];
            s1 += grey[i + 1];
            s2 += grey[i + 2];
            s3 += grey[i + 3];
        }
        for (; i < n; i++) {
            s0 += grey[i];
        }
        double sum = (double) s0 + s1 + s2 + s3;
        blend((float) factor, (float) (1.0 - factor) * (float) (sum / n));
    }

    /** Saturation as ImageOps.saturation: each value blended with its pixel's grey level. */
    void saturation(double factor) {
        float keep = (float) factor;
        float mix = (float) (1.0 - factor);
        float[] m = t[0];
        grey(m);
        for (int i = 0; i < n; i++) {
            m[i] = m[i] * mix;
        }
        for (float[] x : rgb) {
            saturate(x, m, keep);
        }
    }

    private void saturate(float[] x, float[] m, float keep) {
        for (int i = 0; i < n; i++) {
            x[i] = truncate(Math.min(Math.max(keep * x[i] + m[i], 0f), 255f));
        }
    }

    /** The grey level of every pixel, truncated: (int) (R·r + G·g + B·b). */
    private void grey(float[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = R * r[i] + G * g[i] + B * b[i];
        }
        for (int i = 0; i < n; i++) {
            out[i] = truncate(out[i]);
        }
    }

    /**
     * Hue as ImageOps.hue: torchvision's rgb → hsv → shifted hue → rgb. Step by step the same float operations as
     * the per-pixel code; the comments say which of its expressions each step computes. Each step is a method of
     * its own so that it is compiled on its own, soon after start (one method of thirty loops waited seconds for
     * the optimising compiler on a busy machine, running unvectorised meanwhile).
     */
    void hue(double shift) {
        float[] max = t[0];
        float[] min = t[1];
        float[] s = t[2];
        float[] d = t[3];
        float[] isR = t[4];
        float[] isG = t[5];
        float[] isB = t[6];
        float[] first = t[7];
        float[] second = t[8];
        float[] h = t[9];
        float[] offset = t[10];
        float[] sector = t[11];
        float[] f = t[12];
        float[] v = t[13];
        float[] p = t[14];
        float[] q = t[15];
        float[] u = t[16];                       // torchvision's t
        float[][] in = {t[17], t[18], t[19], t[20], t[21], t[22]};
        for (float[] x : rgb) {
            toUnit(x, n);                        // x/255f
        }
        maxMin(r, g, b, max, min, n);
        saturationAndDivisor(max, min, s, d, n);
        whichIsMax(max, r, g, isR, isG, n);
        theRest(isR, isG, isB, n);
        // first = isR ? b : isG ? r : g and second = isR ? g : isG ? b : r (the channels, not yet max − them)
        twoProducts(first, isR, b, isG, r, n);
        addProduct(first, isB, g, n);
        twoProducts(second, isR, g, isG, b, n);
        addProduct(second, isB, r, n);
        sectorOffset(isG, isB, offset, n);
        hueAngle(offset, max, first, second, d, h, n);
        shifted(h, (float) shift, n);
        wrapped(h, n);
        sectorAndFraction(h, sector, f, n);
        candidates(max, s, f, v, p, q, u, n);
        sectorIndicators(sector, in, n);
        // red, green, blue in sectors 0..5: (v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q); green is
        // red two sectors on, blue four
        for (int c = 0; c < 3; c++) {
            int k = 2 * c;
            select(rgb[c], v, in[k % 6], in[(k + 5) % 6], q, in[(k + 1) % 6], p, in[(k + 2) % 6],
                    in[(k + 3) % 6], u, in[(k + 4) % 6]);
            truncate(rgb[c]);
        }
    }

    private static void toUnit(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            x[i] = x[i] / 255f;
        }
    }

    private static void maxMin(float[] r, float[] g, float[] b, float[] max, float[] min, int n) {
        for (int i = 0; i < n; i++) {
            max[i] = Math.max(r[i], Math.max(g[i], b[i]));
            min[i] = Math.min(r[i], Math.min(g[i], b[i]));
        }
    }

    /**
     * s = range / (flat ? 1 : max), d = flat ? 1 : range: on a flat pixel range = 0 and the numerators are 0, so
     * any positive divisor gives the same 0; otherwise max and range are at least 1/255, above MIN_NORMAL.
     */
    private static void saturationAndDivisor(float[] max, float[] min, float[] s, float[] d, int n) {
        for (int i = 0; i < n; i++) {
            float range = max[i] - min[i];
            s[i] = range / Math.max(max[i], Float.MIN_NORMAL);
            d[i] = Math.max(range, Float.MIN_NORMAL);
        }
    }

    /** isR = max == r, isG = !isR && max == g: max − x is 0 or about 1/255 or more. */
    private static void whichIsMax(float[] max, float[] r, float[] g, float[] isR, float[] isG, int n) {
        for (int i = 0; i < n; i++) {
            float rMax = 1f - Math.min((max[i] - r[i]) * 0x1p20f, 1f);
            isR[i] = rMax;
            isG[i] = (1f - Math.min((max[i] - g[i]) * 0x1p20f, 1f)) * (1f - rMax);
        }
    }

    private static void theRest(float[] isR, float[] isG, float[] isB, int n) {
        for (int i = 0; i < n; i++) {
            isB[i] = 1f - isR[i] - isG[i];
        }
    }

    private static void twoProducts(float[] out, float[] w1, float[] x1, float[] w2, float[] x2, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = w1[i] * x1[i] + w2[i] * x2[i];
        }
    }

    private static void addProduct(float[] out, float[] w, float[] x, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = out[i] + w[i] * x[i];
        }
    }

    /** offset = isR ? 0 : isG ? 2 : 4. */
    private static void sectorOffset(float[] isG, float[] isB, float[] offset, int n) {
        for (int i = 0; i < n; i++) {
            offset[i] = isG[i] * 2f + isB[i] * 4f;
        }
    }

    /** h = offset + (max − first) / d − (max − second) / d; h = h / 6 + 1. */
    private static void hueAngle(float[] offset, float[] max, float[] first, float[] second, float[] d, float[] h,
                                 int n) {
        for (int i = 0; i < n; i++) {
            h[i] = (offset[i] + (max[i] - first[i]) / d[i] - (max[i] - second[i]) / d[i]) / 6f + 1f;
        }
    }

    /** h = h >= 1 ? h − 1 : h; h += shift. */
    private static void shifted(float[] h, float shift, int n) {
        for (int i = 0; i < n; i++) {
            h[i] = h[i] - atLeastOne(h[i]) + shift;
        }
    }

    /** h = h < 0 ? h + 1 : h >= 1 ? h − 1 : h. */
    private static void wrapped(float[] h, int n) {
        for (int i = 0; i < n; i++) {
            float x = h[i];
            h[i] = x + negative(x) - atLeastOne(x);
        }
    }

    /** h6 = h·6; sector = (int) h6; f = h6 − sector. */
    private static void sectorAndFraction(float[] h, float[] sector, float[] f, int n) {
        for (int i = 0; i < n; i++) {
            float h6 = h[i] * 6f;
            float k = truncate(h6);
            sector[i] = k;
            f[i] = h6 - k;
        }
    }

    /** v, p, q, t, already times 255 (the byte is (int) (x·255)). */
    private static void candidates(float[] max, float[] s, float[] f, float[] v, float[] p, float[] q, float[] t,
                                   int n) {
        for (int i = 0; i < n; i++) {
            v[i] = max[i] * 255f;
            p[i] = max[i] * (1f - s[i]) * 255f;
        }
        for (int i = 0; i < n; i++) {
            q[i] = max[i] * (1f - s[i] * f[i]) * 255f;
            t[i] = max[i] * (1f - s[i] * (1f - f[i])) * 255f;
        }
    }

    /** in[k] = [sector == k] for k = 0..5, sector 6 (h rounded up to 1) counting as 0. */
    private static void sectorIndicators(float[] sector, float[][] in, int n) {
        float[] in0 = in[0];
        float[] in1 = in[1];
        float[] in2 = in[2];
        float[] in3 = in[3];
        float[] in4 = in[4];
        float[] in5 = in[5];
        for (int i = 0; i < n; i++) {
            float k = sector[i];
            in0[i] = is(k, 0f) + is(k, 6f);
            in1[i] = is(k, 1f);
        }
        for (int i = 0; i < n; i++) {
            float k = sector[i];
            in2[i] = is(k, 2f);
            in3[i] = is(k, 3f);
        }
        for (int i = 0; i < n; i++) {
            float k = sector[i];
            in4[i] = is(k, 4f);
            in5[i] = is(k, 5f);
        }
    }

    /** [k == j] for integers k, j as floats. */
    private static float is(float k, float j) {
        return 1f - Math.min(Math.abs(k - j), 1f);
    }

    /**
     * out = v where v1 or v2 is 1, q where q1 is, p where p1 or p2 is, t where t1 is: exactly one of the six is 1,
     * so every other term is +0 and each sum is exact.
     */
    private void select(float[] out, float[] v, float[] v1, float[] v2, float[] q, float[] q1, float[] p,
                        float[] p1, float[] p2, float[] t, float[] t1) {
        twoProducts(out, v, v1, v, v2, n);
        addProduct(out, q, q1, n);
        addProduct(out, p, p1, n);
        addProduct(out, p, p2, n);
        addProduct(out, t, t1, n);
    }

    private void truncate(float[] x) {
        for (int i = 0; i < n; i++) {
            x[i] = truncate(x[i]);
        }
    }

    /**
     * (int) x for x in [0, 2^22), as a float: adding 2^23 rounds to the nearest integer (ties to even), and where
     * that rounded up, the difference is at least one ulp of x ≥ 2^-24, so the correction is exactly 1.
     */
    private static float truncate(float x) {
        float nearest = (x + ROUND) - ROUND;
        return nearest - Math.min(Math.max((nearest - x) * 0x1p25f, 0f), 1f);
    }

    /** [x ≥ 1] for x in (−0.5, 2): below 1, x is at most 1 − 2^-24, so (x − 1)·2^25 + 1 ≤ −1. */
    private static float atLeastOne(float x) {
        return Math.min(Math.max((x - 1f) * 0x1p25f + 1f, 0f), 1f);
    }

    /** [x < 0]: the two factors lift even the least subnormal above 1 (and −0 to +0 or below, so 0). */
    private static float negative(float x) {
        return Math.min(Math.max(-x * 0x1p100f * 0x1p100f, 0f), 1f);
    }
}
