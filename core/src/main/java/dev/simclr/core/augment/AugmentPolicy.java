package dev.simclr.core.augment;

import dev.simclr.core.image.ImageOps;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A named augmentation pipeline and its parameters, parsed from a spec such as {@code "simclr"},
 * {@code "crop+color"} or {@code "crop+flip strength=0.5 scale=0.2:1"}: operations joined by {@code +}, then
 * optional {@code key=value} settings. The operations always run in SimCLR's order — crop, flip, colour jitter,
 * grayscale, blur — whatever order the spec names them in.
 *
 * <p>Names: {@code none}; {@code crop} (random resized crop); {@code flip} (horizontal, p = 0.5); {@code color}
 * (colour jitter with p = 0.8, then grayscale with p = 0.2: SimCLR's colour distortion); {@code jitter} and
 * {@code grayscale} alone; {@code blur}; {@code all} = crop+flip+color (the ablation's "all"); {@code simclr} =
 * crop+flip+color+blur where blur applies only to images of side ≥ 64 (SimCLR blurred ImageNet, not CIFAR).
 * On 1-channel images saturation, hue and grayscale have no effect (brightness and contrast still apply).
 */
public record AugmentPolicy(String name, Set<Op> ops, boolean blurOnlyLarge, Settings settings) {

    public enum Op { CROP, FLIP, JITTER, GRAYSCALE, BLUR }

    /** The ablation's policies (reference Table 1) and the pretraining policy. */
    public static final java.util.List<String> NAMED =
            java.util.List.of("none", "crop", "flip", "color", "crop+color", "flip+crop", "all", "simclr");

    private static final Map<String, Set<Op>> COMPONENTS = new LinkedHashMap<>();

    static {
        COMPONENTS.put("none", EnumSet.noneOf(Op.class));
        COMPONENTS.put("crop", EnumSet.of(Op.CROP));
        COMPONENTS.put("flip", EnumSet.of(Op.FLIP));
        COMPONENTS.put("color", EnumSet.of(Op.JITTER, Op.GRAYSCALE));
        COMPONENTS.put("jitter", EnumSet.of(Op.JITTER));
        COMPONENTS.put("grayscale", EnumSet.of(Op.GRAYSCALE));
        COMPONENTS.put("blur", EnumSet.of(Op.BLUR));
        COMPONENTS.put("all", EnumSet.of(Op.CROP, Op.FLIP, Op.JITTER, Op.GRAYSCALE));
        COMPONENTS.put("simclr", EnumSet.of(Op.CROP, Op.FLIP, Op.JITTER, Op.GRAYSCALE));
    }

    /** SimCLR's defaults; every value can be set in the spec by its key. */
    public record Settings(
            double scaleMin, double scaleMax,   // scale=0.08:1      crop area fraction
            double ratioMin, double ratioMax,   // ratio=0.75:1.3333 crop aspect ratio
            double flipP,                       // flip=0.5
            double strength,                    // strength=1        jitter 0.8s/0.8s/0.8s/0.2s
            double colorP,                      // color=0.8         probability of the jitter
            double grayP,                       // gray=0.2
            double blurP,                       // blur=0.5
            double sigmaMin, double sigmaMax,   // sigma=0.1:2
            double kernelFraction,              // kernel=0.1        blur kernel as a fraction of the side
            int size) {                         // size=0            output side; 0 keeps the input size

        public static final Settings DEFAULTS =
                new Settings(0.08, 1.0, 3.0 / 4, 4.0 / 3, 0.5, 1.0, 0.8, 0.2, 0.5, 0.1, 2.0, 0.1, 0);

        void validate() {
            range("scale", scaleMin, scaleMax, 0, 1);
            range("ratio", ratioMin, ratioMax, 0, 100);
            probability("flip", flipP);
            probability("color", colorP);
            probability("gray", grayP);
            probability("blur", blurP);
            if (!(strength >= 0 && 0.2 * strength <= 0.5)) {
                throw new IllegalArgumentException("strength: must be in [0, 2.5] (hue jitter 0.2·strength ≤ 0.5), got "
                        + strength);
            }
            range("sigma", sigmaMin, sigmaMax, 0, 100);
            if (!(kernelFraction > 0 && kernelFraction <= 1)) {
                throw new IllegalArgumentException("kernel: must be in (0, 1], got " + kernelFraction);
            }
            if (size < 0 || size > 4096) {
                throw new IllegalArgumentException("size: must be in [0, 4096] (0 keeps the input size), got " + size);
            }
        }

        private static void probability(String key, double p) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException(key + ": a probability must be in [0, 1], got " + p);
            }
        }

        private static void range(String key, double lo, double hi, double min, double max) {
            if (!(lo > min && lo <= hi && hi <= max)) {
                throw new IllegalArgumentException(key + ": need " + min + " < low ≤ high ≤ " + max + ", got " + lo
                        + ":" + hi);
            }
        }
    }

    public static AugmentPolicy parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("augmentation policy is empty: use one of " + NAMED);
        }
        String[] tokens = spec.trim().toLowerCase(Locale.ROOT).split("\\s+");
        Set<Op> ops = EnumSet.noneOf(Op.class);
        boolean simclr = false;
        for (String part : tokens[0].split("\\+")) {
            Set<Op> component = COMPONENTS.get(part);
            if (component == null) {
                throw new IllegalArgumentException("unknown augmentation operation \"" + part + "\" in policy \"" + spec
                        + "\": known are " + String.join(", ", COMPONENTS.keySet()));
            }
            ops.addAll(component);
            simclr |= part.equals("simclr");
        }
        boolean blurOnlyLarge = simclr && !tokens[0].contains("blur");
        if (simclr) {
            ops.add(Op.BLUR);
        }
        Settings s = settings(tokens, spec);
        s.validate();
        return new AugmentPolicy(tokens[0], Set.copyOf(ops), blurOnlyLarge, s);
    }

    /** The spec in a canonical form: operations as given, every setting that differs from the default. */
    public String canonical() {
        StringBuilder b = new StringBuilder(name);
        Settings d = Settings.DEFAULTS;
        Settings s = settings;
        if (s.scaleMin != d.scaleMin || s.scaleMax != d.scaleMax) b.append(" scale=").append(s.scaleMin).append(':').append(s.scaleMax);
        if (s.ratioMin != d.ratioMin || s.ratioMax != d.ratioMax) b.append(" ratio=").append(s.ratioMin).append(':').append(s.ratioMax);
        if (s.flipP != d.flipP) b.append(" flip=").append(s.flipP);
        if (s.strength != d.strength) b.append(" strength=").append(s.strength);
        if (s.colorP != d.colorP) b.append(" color=").append(s.colorP);
        if (s.grayP != d.grayP) b.append(" gray=").append(s.grayP);
        if (s.blurP != d.blurP) b.append(" blur=").append(s.blurP);
        if (s.sigmaMin != d.sigmaMin || s.sigmaMax != d.sigmaMax) b.append(" sigma=").append(s.sigmaMin).append(':').append(s.sigmaMax);
        if (s.kernelFraction != d.kernelFraction) b.append(" kernel=").append(s.kernelFraction);
        if (s.size != d.size) b.append(" size=").append(s.size);
        return b.toString();
    }

    private static final Set<String> KEYS =
            Set.of("scale", "ratio", "flip", "strength", "color", "gray", "blur", "sigma", "kernel", "size");

    /** Settings from the {@code key=value} tokens of a spec, defaults for the keys it does not name. */
    private static Settings settings(String[] tokens, String spec) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 1; i < tokens.length; i++) {
            int eq = tokens[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value after the operations in policy \"" + spec
                        + "\", got \"" + tokens[i] + "\"");
            }
            String key = tokens[i].substring(0, eq);
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown setting \"" + key + "\" in policy \"" + spec
                        + "\": known are scale, ratio, flip, strength, color, gray, blur, sigma, kernel, size");
            }
            given.put(key, tokens[i].substring(eq + 1));
        }
        Settings d = Settings.DEFAULTS;
        double[] scale = pair(given, "scale", d.scaleMin, d.scaleMax, spec);
        double[] ratio = pair(given, "ratio", d.ratioMin, d.ratioMax, spec);
        double[] sigma = pair(given, "sigma", d.sigmaMin, d.sigmaMax, spec);
        Settings s = new Settings(scale[0], scale[1], ratio[0], ratio[1], number(given, "flip", d.flipP, spec),
                number(given, "strength", d.strength, spec), number(given, "color", d.colorP, spec),
                number(given, "gray", d.grayP, spec), number(given, "blur", d.blurP, spec), sigma[0], sigma[1],
                number(given, "kernel", d.kernelFraction, spec), (int) number(given, "size", d.size, spec));
        if (s.size != number(given, "size", d.size, spec)) {
            throw new IllegalArgumentException("size: must be a whole number in policy \"" + spec + "\"");
        }
        return s;
    }

    private static double number(Map<String, String> given, String key, double fallback, String spec) {
        String v = given.get(key);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a number: \"" + v + "\" in policy \"" + spec + "\"");
        }
    }

    private static double[] pair(Map<String, String> given, String key, double lo, double hi, String spec) {
        String v = given.get(key);
        if (v == null) {
            return new double[] {lo, hi};
        }
        String[] p = v.split(":");
        try {
            if (p.length == 2) {
                return new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1])};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + ": expected low:high, got \"" + v + "\" in policy \"" + spec + "\"");
    }

    public int outHeight(int height) {
        return settings.size > 0 ? settings.size : height;
    }

    public int outWidth(int width) {
        return settings.size > 0 ? settings.size : width;
    }

    /** One view of the image at {@code offset} in {@code src}, drawing every random choice from {@code rnd}. */
    public byte[] apply(byte[] src, int offset, int height, int width, int channels, ViewRandom rnd) {
        Settings s = settings;
        int oh = outHeight(height);
        int ow = outWidth(width);
        CropBox box = ops.contains(Op.CROP)
                ? CropBox.sample(rnd, height, width, s.scaleMin, s.scaleMax, s.ratioMin, s.ratioMax)
                : new CropBox(0, 0, height, width);
        // drawn after the box, as ever; the resize writes the rows mirrored rather than flipping afterwards
        boolean flip = ops.contains(Op.FLIP) && rnd.chance(s.flipP);
        byte[] img;
        if (!ops.contains(Op.CROP) && oh == height && ow == width) {
            img = java.util.Arrays.copyOfRange(src, offset, offset + height * width * channels);
            if (flip) {
                ImageOps.hflip(img, oh, ow, channels);
            }
        } else {
            img = ImageOps.resizedCrop(src, offset, height, width, channels, box.top(), box.left(), box.height(),
                    box.width(), oh, ow, flip);
        }
        if (ops.contains(Op.JITTER) && s.strength > 0 && rnd.chance(s.colorP)) {
            jitter(img, channels, rnd);
        }
        if (ops.contains(Op.GRAYSCALE) && rnd.chance(s.grayP)) {
            ImageOps.grayscale(img, channels);
        }
        if (ops.contains(Op.BLUR) && (!blurOnlyLarge || Math.min(oh, ow) >= 64) && rnd.chance(s.blurP)) {
            float sigma = (float) rnd.uniform(s.sigmaMin, s.sigmaMax);
            ImageOps.gaussianBlur(img, oh, ow, channels, blurKernel(Math.min(oh, ow)), sigma);
        }
        return img;
    }

    /** Odd kernel size, {@code kernelFraction} of the side rounded down then made odd (at least 1). */
    int blurKernel(int side) {
        int k = (int) (settings.kernelFraction * side);
        return k / 2 * 2 + 1;
    }

    /** torchvision's ColorJitter: the four adjustments in a random order with factors drawn after the order. */
    private void jitter(byte[] img, int channels, ViewRandom rnd) {
        double bcs = 0.8 * settings.strength;
        double hue = 0.2 * settings.strength;
        int[] order = rnd.permutation(4);
        double b = rnd.uniform(Math.max(0, 1 - bcs), 1 + bcs);
        double c = rnd.uniform(Math.max(0, 1 - bcs), 1 + bcs);
        double sat = rnd.uniform(Math.max(0, 1 - bcs), 1 + bcs);
        double h = rnd.uniform(-hue, hue);
        ImageOps.colorJitter(img, channels, order, b, c, sat, h);
    }

    @Override
    public String toString() {
        return canonical() + " " + ops.stream().map(Enum::name).collect(Collectors.joining(",", "[", "]"));
    }
}
