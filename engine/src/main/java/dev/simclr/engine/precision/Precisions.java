package dev.simclr.engine.precision;

import dev.simclr.contracts.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Resolves a requested {@link Precision} on the worker that runs it. {@code auto} is bf16 where the device has it
 * natively — a CPU whose /proc/cpuinfo flags include {@code avx512_bf16} or {@code amx_bf16}, a CUDA GPU of compute
 * capability 8.0 or more (configuration only: not measured in this project) — and libtorch's autocast functions
 * are present; fp32 elsewhere. {@code bf16} is kept wherever the functions are present (oneDNN emulates bf16 on
 * CPUs without it, slowly); without them every request runs in fp32. A run resumed from a checkpoint keeps the
 * precision recorded there, whatever this worker would resolve.
 */
public final class Precisions {
    static final Set<String> NATIVE_CPU_FLAGS = Set.of("avx512_bf16", "amx_bf16");
    private static final Pattern FLAGS = Pattern.compile("(?m)^flags\\s*:(.*)$");

    private Precisions() {}

    /** On this machine: the CPU's flags, libtorch's functions and, for a GPU run, GPU 0's compute capability. */
    public static Precision resolve(Precision requested, boolean gpu) {
        if (requested == null || requested == Precision.FP32) {
            return Precision.FP32; // without loading anything
        }
        return resolve(requested, cpuInfo(), Autocast.available(), gpu ? cudaCapability() : -1);
    }

    /**
     * The rule itself, on given facts: {@code cpuInfo} (the text of /proc/cpuinfo; empty when unknown),
     * {@code autocast} (the functions are present), {@code cudaCapability} (e.g. 80 for 8.0; negative on a CPU).
     */
    public static Precision resolve(Precision requested, String cpuInfo, boolean autocast, int cudaCapability) {
        Precision r = requested == null ? Precision.FP32 : requested;
        if (!autocast || r == Precision.FP32) {
            return Precision.FP32;
        }
        if (r == Precision.BF16) {
            return Precision.BF16;
        }
        boolean nativeBf16 = cudaCapability >= 0 ? cudaCapability >= 80 : cpuHasNativeBf16(cpuInfo);
        return nativeBf16 ? Precision.BF16 : Precision.FP32;
    }

    /** Whether the first CPU's flags name a native bf16 instruction set. */
    public static boolean cpuHasNativeBf16(String cpuInfo) {
        var m = FLAGS.matcher(cpuInfo == null ? "" : cpuInfo);
        if (!m.find()) {
            return false;
        }
        for (String flag : m.group(1).trim().split("\\s+")) {
            if (NATIVE_CPU_FLAGS.contains(flag)) {
                return true;
            }
        }
        return false;
    }

    private static String cpuInfo() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static int cudaCapability() {
        try {
            return Integer.parseInt(ai.djl.util.cuda.CudaUtils.getComputeCapability(0));
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return 0;
        }
    }
}
