package dev.simclr.platform.augment;

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
    private final float[][] t;
    private int n;

    private ColorPlanes(int capacity) {
        r = new float[capacity];
        g = new float[capacity];
        b = new float[capacity];
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
        blend(r, keep, mix);
        blend(g, keep, mix);
        blend(b, keep, mix);
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
        saturate(r, m, keep);
        saturate(g, m, keep);
        saturate(b, m, keep);
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
     * the per-pixel code; the comments say which of its expressions each loop computes.
     */
    void hue(double shift) {
        float hueShift = (float) shift;
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
        for (int i = 0; i < n; i++) {            // x/255f
            r[i] = r[i] / 255f;
            g[i] = g[i] / 255f;
            b[i] = b[i] / 255f;
        }
        for (int i = 0; i < n; i++) {
            max[i] = Math.max(r[i], Math.max(g[i], b[i]));
            min[i] = Math.min(r[i], Math.min(g[i], b[i]));
        }
        // s = range / (flat ? 1 : max), d = flat ? 1 : range: on a flat pixel range = 0 and the numerators are
        // 0, so any positive divisor gives the same 0; otherwise max, range ≥ 1/255 exceed MIN_NORMAL
        for (int i = 0; i < n; i++) {
            float range = max[i] - min[i];
            s[i] = range / Math.max(max[i], Float.MIN_NORMAL);
            d[i] = Math.max(range, Float.MIN_NORMAL);
        }
        // isR = max == r, isG = !isR && max == g, isB the rest: max − x is 0 or at least 1/255 − rounding
        for (int i = 0; i < n; i++) {
            float rMax = 1f - Math.min((max[i] - r[i]) * 0x1p20f, 1f);
            isR[i] = rMax;
            isG[i] = (1f - Math.min((max[i] - g[i]) * 0x1p20f, 1f)) * (1f - rMax);
        }
        for (int i = 0; i < n; i++) {
            isB[i] = 1f - isR[i] - isG[i];
        }
        // first = isR ? b : isG ? r : g and second = isR ? g : isG ? b : r (the channels, not yet max − them)
        for (int i = 0; i < n; i++) {
            first[i] = isR[i] * b[i] + isG[i] * r[i];
        }
        for (int i = 0; i < n; i++) {
            first[i] = first[i] + isB[i] * g[i];
        }
        for (int i = 0; i < n; i++) {
            second[i] = isR[i] * g[i] + isG[i] * b[i];
        }
        for (int i = 0; i < n; i++) {
            second[i] = second[i] + isB[i] * r[i];
        }
        float[] offset = t[10];                  // isR ? 0 : isG ? 2 : 4
        for (int i = 0; i < n; i++) {
            offset[i] = isG[i] * 2f + isB[i] * 4f;
        }
        // h = offset + (max − first) / d − (max − second) / d; h = h / 6 + 1
        for (int i = 0; i < n; i++) {
            h[i] = (offset[i] + (max[i] - first[i]) / d[i] - (max[i] - second[i]) / d[i]) / 6f + 1f;
        }
        // h = h >= 1 ? h − 1 : h; h += shift; h = h < 0 ? h + 1 : h >= 1 ? h − 1 : h
        for (int i = 0; i < n; i++) {
            h[i] = h[i] - atLeastOne(h[i]) + hueShift;
        }
        for (int i = 0; i < n; i++) {
            float x = h[i];
            h[i] = x + negative(x) - atLeastOne(x);
        }
        // h6 = h·6; sector = (int) h6; f = h6 − sector
        float[] sector = t[11];
        float[] f = t[12];
        for (int i = 0; i < n; i++) {
            float h6 = h[i] * 6f;
            float k = truncate(h6);
            sector[i] = k;
            f[i] = h6 - k;
        }
        // the four candidates, already times 255 (the byte is (int) (x·255))
        float[] v = t[13];
        float[] p = t[14];
        float[] q = t[15];
        float[] u = t[16];                       // torchvision's t
        for (int i = 0; i < n; i++) {
            v[i] = max[i] * 255f;
            p[i] = max[i] * (1f - s[i]) * 255f;
        }
        for (int i = 0; i < n; i++) {
            q[i] = max[i] * (1f - s[i] * f[i]) * 255f;
            u[i] = max[i] * (1f - s[i] * (1f - f[i])) * 255f;
        }
        // in[k] = [sector == k] for k = 0..5, sector 6 (h rounded up to 1) counting as 0
        float[][] in = {t[17], t[18], t[19], t[20], t[21], t[22]};
        for (int i = 0; i < n; i++) {
            float k = sector[i];
            in[0][i] = is(k, 0f) + is(k, 6f);
            in[1][i] = is(k, 1f);
        }
        for (int i = 0; i < n; i++) {
            float k = sector[i];
            in[2][i] = is(k, 2f);
            in[3][i] = is(k, 3f);
        }
        for (int i = 0; i < n; i++) {
            float k = sector[i];
            in[4][i] = is(k, 4f);
            in[5][i] = is(k, 5f);
        }
        // red, green, blue in sectors 0..5: (v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q)
        select(r, v, in[0], in[5], q, in[1], p, in[2], in[3], u, in[4]);
        select(g, v, in[1], in[2], q, in[3], p, in[4], in[5], u, in[0]);
        select(b, v, in[3], in[4], q, in[5], p, in[0], in[1], u, in[2]);
        truncate(r);
        truncate(g);
        truncate(b);
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
        for (int i = 0; i < n; i++) {
            out[i] = v[i] * (v1[i] + v2[i]);
        }
        for (int i = 0; i < n; i++) {
            out[i] = out[i] + q[i] * q1[i];
        }
        for (int i = 0; i < n; i++) {
            out[i] = out[i] + p[i] * (p1[i] + p2[i]);
        }
        for (int i = 0; i < n; i++) {
            out[i] = out[i] + t[i] * t1[i];
        }
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
