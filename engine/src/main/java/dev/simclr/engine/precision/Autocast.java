package dev.simclr.engine.precision;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * libtorch's own autocast (bf16 on the CPU), switched from Java: DJL 0.36 has no mixed-precision API and aborts the
 * JVM on a bf16 {@code toType}, but the {@code libtorch_cpu.so} it loads exports {@code at::autocast::*}. They are
 * called through JNA by their mangled names (libtorch ≥ 2.4's signatures), resolved once; when one is missing the
 * engine says so in one log line and every scope is a no-op (fp32).
 *
 * <p>A scope covers forward passes only: {@code try (Autocast a = Autocast.enter(true)) { z = net.forward(x); z =
 * Autocast.toFloat32(z); }} then the loss, backward and the optimiser step outside it, in fp32 (DJL ops that pass an
 * array's dtype to native code abort on bf16, and stale bf16 weight copies must not outlive a step: closing clears
 * libtorch's cast cache).
 *
 * <p>libtorch keeps the autocast state per thread: a scope applies to the thread that opened it and must be closed
 * on that thread; other threads (another run's loop) are unaffected.
 */
public final class Autocast implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Autocast.class);
    /** c10::DeviceType::CPU, CUDA and c10::ScalarType::BFloat16, int8 enums in libtorch 2.x. */
    private static final byte CPU = 0;
    private static final byte CUDA = 1;
    private static final byte BFLOAT16 = 15;
    static final Map<String, String> SYMBOLS = Map.of(
            "setEnabled", "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb",
            "isEnabled", "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE",
            "setDtype", "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE",
            "getDtype", "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE",
            "increment", "_ZN2at8autocast17increment_nestingEv",
            "decrement", "_ZN2at8autocast17decrement_nestingEv",
            "clearCache", "_ZN2at8autocast11clear_cacheEv");
    private static final Autocast NONE = new Autocast(false, CPU, false, (byte) 0);

    private static volatile Natives natives;

    private final boolean active;
    private final byte device;
    private final boolean wasEnabled;
    private final byte previousDtype;

    private Autocast(boolean active, byte device, boolean wasEnabled, byte previousDtype) {
        this.active = active;
        this.device = device;
        this.wasEnabled = wasEnabled;
        this.previousDtype = previousDtype;
    }

    /** Whether libtorch's autocast functions were found (so {@code bf16} can run). */
    public static boolean available() {
        return natives().ok();
    }

    /** The precision a resolved request runs in here: bf16 only where the functions are present. */
    public static dev.simclr.contracts.Precision effective(dev.simclr.contracts.Precision resolved) {
        return resolved == dev.simclr.contracts.Precision.BF16 && available() ? resolved
                : dev.simclr.contracts.Precision.FP32;
    }

    /** Why autocast is unavailable (empty when it is available). */
    public static String unavailableReason() {
        return natives().reason();
    }

    /**
     * Enters bf16 autocast for this thread on the CPU (or on CUDA when {@code gpu}: configuration only, not measured
     * here) when {@code bf16} is true and the functions are present; otherwise returns a scope that does nothing.
     * Scopes nest: the previous setting comes back on close.
     */
    public static Autocast enter(boolean bf16, boolean gpu) {
        if (!bf16) {
            return NONE;
        }
        Natives n = natives();
        if (!n.ok()) {
            return NONE;
        }
        byte device = gpu ? CUDA : CPU;
        boolean was = enabled(n, device);
        byte dtype = (byte) n.getDtype.invokeInt(new Object[] {device});
        n.setDtype.invokeVoid(new Object[] {device, BFLOAT16});
        n.setEnabled.invokeVoid(new Object[] {device, 1});
        n.increment.invokeInt(new Object[0]);
        return new Autocast(true, device, was, dtype);
    }

    /** CPU autocast; see {@link #enter(boolean, boolean)}. */
    public static Autocast enter(boolean bf16) {
        return enter(bf16, false);
    }

    /** Whether CPU autocast is on for this thread now (false when the functions are missing). */
    public static boolean enabledHere() {
        Natives n = natives();
        return n.ok() && enabled(n, CPU);
    }

    /** A C++ bool comes back in the low byte of the return register only. */
    private static boolean enabled(Natives n, byte device) {
        return (n.isEnabled.invokeInt(new Object[] {device}) & 0xff) != 0;
    }

    /** Leaves the scope: the previous setting back; at the outermost level libtorch's cast cache is cleared. */
    @Override
    public void close() {
        if (!active) {
            return;
        }
        Natives n = natives();
        n.setEnabled.invokeVoid(new Object[] {device, wasEnabled ? 1 : 0});
        n.setDtype.invokeVoid(new Object[] {device, previousDtype});
        if (n.decrement.invokeInt(new Object[0]) == 0) {
            n.clearCache.invokeVoid(new Object[0]);
        }
    }

    /**
     * The fp32 version of an autocast output, keeping it in the autograd graph: DJL's {@code toType} runs without
     * gradient and aborts on a bf16 array, so the array is multiplied by a one-element fp32 tensor instead (type
     * promotion makes the product fp32; its gradient flows back to the bf16 graph). Call it outside the scope. An
     * array that is already fp32 comes back as it is.
     */
    public static NDArray toFloat32(NDArray x) {
        if (isFloat32(x)) {
            return x;
        }
        try (NDArray one = x.getManager().ones(new ai.djl.ndarray.types.Shape(1))) {
            return x.mul(one);
        }
    }

    /** DJL reports a bf16 tensor as UNKNOWN (its dtype table stops at ordinal 8): only FLOAT32 means fp32. */
    static boolean isFloat32(NDArray x) {
        return x.getDataType() == DataType.FLOAT32;
    }

    private static Natives natives() {
        Natives n = natives;
        if (n == null) {
            synchronized (Autocast.class) {
                n = natives;
                if (n == null) {
                    n = Natives.load();
                    natives = n;
                    if (!n.ok()) {
                        LOG.warnf("bf16 autocast unavailable, training runs in fp32: %s", n.reason());
                    }
                }
            }
        }
        return n;
    }

    /** The resolved functions, or why they are not there. */
    private record Natives(String reason, Function setEnabled, Function isEnabled, Function setDtype,
                           Function getDtype, Function increment, Function decrement, Function clearCache) {
        boolean ok() {
            return reason.isEmpty();
        }

        static Natives load() {
            try {
                Engine.getEngine("PyTorch"); // loads libtorch (DJL extracts it) before we look for it
                Path lib = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
                if (!Files.exists(lib)) {
                    return failed("no " + lib);
                }
                NativeLibrary l = NativeLibrary.getInstance(lib.toString());
                return new Natives("", l.getFunction(SYMBOLS.get("setEnabled")), l.getFunction(SYMBOLS.get("isEnabled")),
                        l.getFunction(SYMBOLS.get("setDtype")), l.getFunction(SYMBOLS.get("getDtype")),
                        l.getFunction(SYMBOLS.get("increment")), l.getFunction(SYMBOLS.get("decrement")),
                        l.getFunction(SYMBOLS.get("clearCache")));
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                return failed(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }

        private static Natives failed(String reason) {
            return new Natives(reason, null, null, null, null, null, null, null);
        }
    }
}
