package dev.simclr.engine.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.simclr.engine.precision.Autocast;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Checks, once per JVM before the first network, that libtorch computes a convolution's input gradient right. On some
 * machines libtorch 2.7.1's oneDNN (3.7.1) does not: seen 2026-12-07 on an AMD EPYC Zen 5 VM (Firecracker), its
 * backward-data kernels gave wrong or NaN input gradients whenever a convolution's output channels were not a multiple
 * of 16 (fp32; bf16 also from 1 or 3 input channels, the stem's, whose input gradient training never asks for) —
 * every narrow encoder's training silently wrong — while forward and weight gradients were right and PyTorch 1.13 on
 * the same machine was exact. Where the narrow cases fail but whole blocks of 16 channels (what every encoder of width
 * ≥ 0.25 has) are right in fp32 and bf16, oneDNN stays on, and the first network with another channel count moves
 * every convolution of this JVM off oneDNN ({@link #admit}). Where whole blocks fail too, convolutions move at once to
 * libtorch's own kernels ({@code at::globalContext().setUserEnabledMkldnn(false)}, through JNA by its exported name,
 * as {@code precision.Autocast} does) and are checked again: slower (0.4× PyTorch at ResNet-18 w1.0 on that VM), but
 * right; if that is wrong too the engine refuses to train. One log line says which.
 */
public final class ConvCheck {
    private static final Logger LOG = Logger.getLogger(ConvCheck.class);
    static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    static final String SET_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb";
    /** The vector block oneDNN's kernels split output channels into (AVX-512: 16 fp32 lanes; AVX2's 8 divides it). */
    static final int BLOCK = 16;
    /** Output channels checked: below one AVX-512 block, one AVX2 block, between, and above one. */
    private static final int[] NARROW = {4, 8, 12, 24};
    /** Whole blocks, from the channel counts a stem reads (1, 3) and a block's (16); kernel/stride as encoders use. */
    private static final int[] WHOLE = {16, 32, 64};
    private static final int[][] KERNEL_STRIDE = {{3, 1}, {3, 2}, {1, 2}};
    /** Two threads gave the wrong answer in about 30 % of tries: a few tries catch it. */
    private static final int TRIES = 4;
    /** bf16's relative L2 error on these cases is 2e-3–1.3e-2 in PyTorch 1.13's autocast; a wrong kernel's is > 0.15. */
    static final double BF16_TOLERANCE = 3e-2;

    static final String ONEDNN = "oneDNN";
    static final String WHOLE_BLOCKS = "oneDNN (whole blocks of 16 channels)";
    static final String OWN_KERNELS = "libtorch's own kernels";

    private static volatile String outcome;

    private ConvCheck() {}

    /** Runs the check once per JVM; throws if libtorch cannot compute convolution gradients right here. */
    public static void ensure() {
        if (outcome != null) {
            return;
        }
        synchronized (ConvCheck.class) {
            if (outcome != null) {
                return;
            }
            String wrong = firstWrong(NARROW);
            if (wrong == null) {
                outcome = ONEDNN;
                return;
            }
            String wholeWrong = wholeBlocksWrong();
            if (wholeWrong == null) {
                outcome = WHOLE_BLOCKS;
                LOG.warnf("libtorch's oneDNN computes convolution input gradients wrongly on this CPU when output "
                        + "channels are not a multiple of %d (%s; ONEDNN_MAX_CPU_ISA=%s): networks whose channels are "
                        + "(every encoder of width ≥ 0.25) run on oneDNN; the first other one moves this process's "
                        + "convolutions to libtorch's own kernels (slower).", BLOCK, wrong,
                        System.getenv("ONEDNN_MAX_CPU_ISA"));
                return;
            }
            fallBack(wrong + "; whole blocks too: " + wholeWrong);
        }
    }

    /**
     * A network about to train with convolutions of these output channels: where oneDNN is right for whole blocks
     * only, a convolution of another width moves this process's convolutions to libtorch's own kernels first.
     */
    public static void admit(long[] outChannels) {
        ensure();
        if (!WHOLE_BLOCKS.equals(outcome)) {
            return;
        }
        for (long c : outChannels) {
            if (c % BLOCK != 0) {
                synchronized (ConvCheck.class) {
                    if (WHOLE_BLOCKS.equals(outcome)) {
                        fallBack("output channels not a multiple of " + BLOCK + ", and a network with " + c + "-channel convolutions");
                    }
                }
                return;
            }
        }
    }

    /** Moves convolutions to libtorch's own kernels, checks them, logs; throws if that does not make them right. */
    private static void fallBack(String why) {
        String fallback = disableOneDnn();
        String still = fallback == null ? firstWrong(NARROW) : why;
        if (fallback == null && still == null) {
            outcome = OWN_KERNELS;
            LOG.warnf("libtorch's oneDNN computes convolution input gradients wrongly on this CPU (%s; "
                    + "ONEDNN_MAX_CPU_ISA=%s): convolutions run on libtorch's own kernels instead (slower). "
                    + "ONEDNN_MAX_CPU_ISA=SSE41 also avoids it.", why, System.getenv("ONEDNN_MAX_CPU_ISA"));
            return;
        }
        throw new IllegalStateException("libtorch computes convolution gradients wrongly on this CPU (" + why
                + (fallback != null ? "; no fallback: " + fallback : "; also on its own kernels: " + still)
                + "): set ONEDNN_MAX_CPU_ISA=SSE41 and try again");
    }

    /** What runs the convolutions: {@value #ONEDNN}, {@value #WHOLE_BLOCKS}, {@value #OWN_KERNELS}; null before. */
    public static String outcome() {
        return outcome;
    }

    /**
     * The first case (one input channel, 3×3, stride 1, fp32) whose input gradient is wrong, described, or null if all
     * are right: one input channel is enough, the narrow outputs are what oneDNN gets wrong.
     */
    static String firstWrong(int[] outChannels) {
        for (int co : outChannels) {
            for (int t = 0; t < TRIES; t++) {
                double err = inputGradientError(1, co);
                if (!(err < 1e-3)) {
                    return "1→" + co + " channels, input gradient off by " + err;
                }
            }
        }
        return null;
    }

    /**
     * Whole blocks in fp32 from 1, 3 and 16 input channels, and in bf16 (where autocast exists) from 16 — the stem's
     * input gradient is never computed — at each kernel and stride; the first wrong case, or null.
     */
    static String wholeBlocksWrong() {
        for (int[] ks : KERNEL_STRIDE) {
            for (int co : WHOLE) {
                for (int ci : new int[] {1, 3, BLOCK}) {
                    for (int t = 0; t < TRIES; t++) {
                        double err = inputGradientError(ci, co, ks[0], ks[1], false);
                        if (!(err < 1e-3)) {
                            return describe(ci, co, ks, "fp32", err);
                        }
                    }
                }
                if (Autocast.available()) {
                    double err = inputGradientError(BLOCK, co, ks[0], ks[1], true);
                    if (!(err < BF16_TOLERANCE)) {
                        return describe(BLOCK, co, ks, "bf16", err);
                    }
                }
            }
        }
        return null;
    }

    private static String describe(int ci, int co, int[] ks, String precision, double err) {
        return ci + "→" + co + " channels, " + ks[0] + "×" + ks[0] + " stride " + ks[1] + ", " + precision
                + ", input gradient off by " + err;
    }

    /** Max abs error of a 3×3 padded convolution's input gradient against a float64 sum (batch 4, 16×16). */
    static double inputGradientError(int ci, int co) {
        return inputGradientError(ci, co, 3, 1, false);
    }

    /**
     * The input gradient of a padded {@code kernel}×{@code kernel} convolution with {@code stride} (batch 4, 16×16
     * input, fixed values) against a float64 sum: max abs error, relative to the reference's largest value when
     * {@code bf16} (the forward then runs under autocast, as bf16 training does). NaN if any value is NaN.
     */
    static double inputGradientError(int ci, int co, int kernel, int stride, boolean bf16) {
        int n = 4;
        int side = 16;
        int pad = kernel / 2;
        int out = (side + 2 * pad - kernel) / stride + 1;
        float[] x = new float[n * ci * side * side];
        float[] w = new float[co * ci * kernel * kernel];
        float[] r = new float[n * co * out * out];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.37 * i);
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.cos(0.91 * i + 0.3);
        }
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) Math.sin(0.13 * i + 1.1);
        }
        float[] got;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xa = m.create(x, new Shape(n, ci, side, side));
            NDArray wa = m.create(w, new Shape(co, ci, kernel, kernel));
            xa.setRequiresGradient(true);
            wa.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y;
                try (Autocast scope = Autocast.enter(bf16)) {
                    y = Conv2d.conv2d(xa, wa, null, new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1), 1)
                            .singletonOrThrow();
                }
                gc.backward(Autocast.toFloat32(y).mul(m.create(r, y.getShape())).sum());
            }
            got = xa.getGradient().toFloatArray();
        }
        // the reference, scattered: each output position sends r·w back to the inputs it read
        double[] want = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < co; o++) {
                for (int p = 0; p < out; p++) {
                    for (int q = 0; q < out; q++) {
                        double g = r[((b * co + o) * out + p) * out + q];
                        for (int c = 0; c < ci; c++) {
                            for (int a = 0; a < kernel; a++) {
                                int h = p * stride - pad + a;
                                for (int d = 0; d < kernel; d++) {
                                    int v = q * stride - pad + d;
                                    if (h >= 0 && h < side && v >= 0 && v < side) {
                                        want[((b * ci + c) * side + h) * side + v] +=
                                                g * w[((o * ci + c) * kernel + a) * kernel + d];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        double max = 0;
        double err2 = 0;
        double ref2 = 0;
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs(got[i] - want[i]);
            if (Double.isNaN(e)) {
                return Double.NaN;
            }
            max = Math.max(max, e);
            err2 += e * e;
            ref2 += want[i] * want[i];
        }
        // bf16 rounds each product (8 bits of mantissa): an elementwise bound would flag PyTorch's own results
        return bf16 ? Math.sqrt(err2 / ref2) : max;
    }

    /** Turns oneDNN off for this process's libtorch; null when done, else why it could not be. */
    static String disableOneDnn() {
        try {
            Path lib = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
            if (!Files.exists(lib)) {
                return "no " + lib;
            }
            NativeLibrary l = NativeLibrary.getInstance(lib.toString());
            Pointer context = (Pointer) l.getFunction(GLOBAL_CONTEXT).invoke(Pointer.class, new Object[0]);
            Function set = l.getFunction(SET_MKLDNN);
            set.invokeVoid(new Object[] {context, (byte) 0});
            return null;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
