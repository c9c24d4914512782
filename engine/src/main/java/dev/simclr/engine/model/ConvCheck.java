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
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Checks, once per JVM before the first network, that libtorch computes a convolution's input gradient right. On some
 * machines libtorch 2.7.1's oneDNN (3.7.1) does not: seen 2026-12-07 on an AMD EPYC Zen 5 VM (Firecracker), its
 * backward-data kernels gave wrong or NaN input gradients whenever a convolution's output channels were not a multiple
 * of the vector block (16 at AVX-512, 8 at AVX2) — every narrow encoder's training silently wrong — while forward and
 * weight gradients were right and PyTorch 1.13 on the same machine was exact. Where the check fails, convolutions are
 * moved off oneDNN onto libtorch's own kernels ({@code at::globalContext().setUserEnabledMkldnn(false)}, through JNA
 * by its exported name, as {@code precision.Autocast} does) and checked again: slower, but right; if that is wrong too
 * the engine refuses to train. One log line says which.
 */
public final class ConvCheck {
    private static final Logger LOG = Logger.getLogger(ConvCheck.class);
    static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    static final String SET_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb";
    /** Output channels checked: below one AVX-512 block, one AVX2 block, and between. */
    private static final int[] OUT_CHANNELS = {4, 8, 12};
    /** Two threads gave the wrong answer in about 30 % of tries: a few tries catch it. */
    private static final int TRIES = 4;

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
            String wrong = firstWrong();
            if (wrong == null) {
                outcome = "oneDNN";
                return;
            }
            String fallback = disableOneDnn();
            String still = fallback == null ? firstWrong() : wrong;
            if (fallback == null && still == null) {
                outcome = "libtorch's own kernels";
                LOG.warnf("libtorch's oneDNN computes convolution input gradients wrongly on this CPU (%s; "
                        + "ONEDNN_MAX_CPU_ISA=%s): convolutions run on libtorch's own kernels instead (slower). "
                        + "ONEDNN_MAX_CPU_ISA=SSE41 also avoids it.", wrong, System.getenv("ONEDNN_MAX_CPU_ISA"));
                return;
            }
            throw new IllegalStateException("libtorch computes convolution gradients wrongly on this CPU (" + wrong
                    + (fallback != null ? "; no fallback: " + fallback : "; also on its own kernels: " + still)
                    + "): set ONEDNN_MAX_CPU_ISA=SSE41 and try again");
        }
    }

    /** What ran the convolutions: "oneDNN", "libtorch's own kernels", or null before the check. */
    public static String outcome() {
        return outcome;
    }

    /** The first case whose input gradient is wrong, described, or null if all are right. */
    static String firstWrong() {
        for (int co : OUT_CHANNELS) {
            for (int t = 0; t < TRIES; t++) {
                double err = inputGradientError(1, co);
                if (!(err < 1e-3)) {
                    return "1→" + co + " channels, input gradient off by " + err;
                }
            }
        }
        return null;
    }

    /** Max abs error of a 3×3 padded convolution's input gradient against a float64 sum (batch 4, 16×16). */
    static double inputGradientError(int ci, int co) {
        int n = 4;
        int side = 16;
        float[] x = new float[n * ci * side * side];
        float[] w = new float[co * ci * 9];
        float[] r = new float[n * co * side * side];
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
            NDArray wa = m.create(w, new Shape(co, ci, 3, 3));
            xa.setRequiresGradient(true);
            wa.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = Conv2d.conv2d(xa, wa, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                        .singletonOrThrow();
                gc.backward(y.mul(m.create(r, y.getShape())).sum());
            }
            got = xa.getGradient().toFloatArray();
        }
        double max = 0;
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < ci; c++) {
                for (int h = 0; h < side; h++) {
                    for (int v = 0; v < side; v++) {
                        double want = 0;
                        for (int o = 0; o < co; o++) {
                            for (int a = 0; a < 3; a++) {
                                for (int d = 0; d < 3; d++) {
                                    int p = h - a + 1;
                                    int q = v - d + 1;
                                    if (p >= 0 && p < side && q >= 0 && q < side) {
                                        want += (double) r[((b * co + o) * side + p) * side + q]
                                                * w[((o * ci + c) * 3 + a) * 3 + d];
                                    }
                                }
                            }
                        }
                        double e = Math.abs(got[((b * ci + c) * side + h) * side + v] - want);
                        max = Double.isNaN(e) ? Double.NaN : Math.max(max, e);
                        if (Double.isNaN(max)) {
                            return max;
                        }
                    }
                }
            }
        }
        return max;
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
