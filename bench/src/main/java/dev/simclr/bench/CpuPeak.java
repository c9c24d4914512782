package dev.simclr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The cores' fp32 peak, as the bench states it: cores × FMA units per core × fp32 lanes per FMA × 2 FLOPs × clock.
 * Lanes come from the instruction set oneDNN may use (8 at AVX2 — the {@code ONEDNN_MAX_CPU_ISA} cap — or 16 with
 * AVX-512 allowed and present); FMA units per core from the vendor's documentation per CPU family (not readable from
 * the OS: see {@link #fmaUnits}); the clock measured by {@link CpuClock} on the same number of cores (a guest's
 * {@code /proc/cpuinfo} "cpu MHz" is nominal: it is printed beside it).
 */
public record CpuPeak(String cpu, int cores, int fmaUnits, int lanes, double ghz, String basis) {

    public double gflops() {
        return cores * fmaUnits * lanes * 2 * ghz;
    }

    /**
     * {@code ./simclr bench peak [cores]}: the fp32 peak, how each factor of it was got, and the FMA rate the cores
     * reach at that vector width ({@link CpuFma}), which checks the documented FMA units × lanes.
     */
    public static void main(String[] args) {
        CpuPeak peak = of(args.length > 0 ? Integer.parseInt(args[0]) : 2);
        print(peak);
        if (peak.lanes() >= 8) {
            System.out.println(CpuFma.measure(peak.cores()).describe(peak));
        }
    }

    static void print(CpuPeak p) {
        System.out.printf(Locale.ROOT, "cpu %s; fp32 peak of %d cores %.1f GFLOP/s = %d cores x %d FMA x %d lanes x 2 x "
                + "%.3f GHz [%s]%n", p.cpu(), p.cores(), p.gflops(), p.cores(), p.fmaUnits(), p.lanes(), p.ghz(),
                p.basis());
    }

    public static CpuPeak of(int cores) {
        return of(cores, CpuClock.measure(cores));
    }

    static CpuPeak of(int cores, CpuClock clock) {
        List<String> info;
        try {
            info = Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            return new CpuPeak("unknown", cores, 0, 0, 0, "no /proc/cpuinfo");
        }
        String vendor = field(info, "vendor_id");
        int family = Integer.parseInt(field(info, "cpu family", "0"));
        int model = Integer.parseInt(field(info, "model", "0"));
        double mhz = Double.parseDouble(field(info, "cpu MHz", "0"));
        String cap = cap();
        int lanes = lanes(info, cap);
        boolean avx512 = lanes == 16;
        int units = fmaUnits(vendor, family, model, avx512);
        String name = field(info, "model name", "?") + " (" + vendor + " family " + family + " model " + model + ")";
        String basis = "ISA " + (avx512 ? "AVX-512" : lanes == 8 ? "AVX2" : "SSE") + " (ONEDNN_MAX_CPU_ISA=" + cap
                + "): " + lanes + " fp32 lanes; " + units + " FMA units per core (" + vendor + " family " + family
                + ", vendor documentation); clock " + clock.describe() + "; /proc/cpuinfo says "
                + String.format(Locale.ROOT, "%.3f", mhz / 1000) + " GHz";
        return new CpuPeak(name, cores, units, lanes, clock.ghz(), basis);
    }

    private static String cap() {
        return System.getenv().getOrDefault("ONEDNN_MAX_CPU_ISA", "ALL").toUpperCase(Locale.ROOT);
    }

    /** fp32 lanes of the widest vectors oneDNN may use here: 16 (AVX-512 present, not capped), 8 (AVX, AVX2) or 4. */
    static int lanes(List<String> info, String cap) {
        Set<String> flags = new HashSet<>(Arrays.asList(field(info, "flags", "").split(" ")));
        boolean avx512 = flags.contains("avx512f") && !cap.startsWith("AVX2") && !cap.equals("AVX")
                && !cap.startsWith("SSE");
        return avx512 ? 16 : flags.contains("avx2") || flags.contains("avx") ? 8 : 4;
    }

    /** {@link #lanes(List, String)} of this machine and environment; 4 without a readable /proc/cpuinfo. */
    static int isaLanes() {
        try {
            return lanes(Files.readAllLines(Path.of("/proc/cpuinfo")), cap());
        } catch (IOException e) {
            return 4;
        }
    }

    /**
     * FMA pipes per core by family. AMD family 0x17 (Zen, Zen 2): Zen 2 has two 256-bit FMAs, Zen 1 two 128-bit
     * ones (counted as one 256-bit here); 0x19 (Zen 3, Zen 4): two 256-bit FMAs (Zen 4 runs AVX-512 as two halves:
     * one 512-bit FMA per cycle); 0x1A (Zen 5): two 512-bit. Intel: two (Haswell on; Xeon Gold/Platinum have two
     * 512-bit units, some Silver/Bronze one — we cannot tell them apart from /proc and say two).
     */
    static int fmaUnits(String vendor, int family, int model, boolean avx512) {
        if ("AuthenticAMD".equals(vendor)) {
            if (family == 0x17) {
                return model >= 0x30 ? 2 : 1;
            }
            if (family == 0x19) {
                return avx512 ? 1 : 2;
            }
            return 2;
        }
        return 2;
    }

    private static String field(List<String> info, String name) {
        return field(info, name, "?");
    }

    private static String field(List<String> info, String name, String missing) {
        for (String line : info) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return missing;
    }
}
