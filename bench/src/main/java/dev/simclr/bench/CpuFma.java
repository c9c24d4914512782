package dev.simclr.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fp32 FMA rate the cores reach, measured, to check {@link CpuPeak}'s FMA units × lanes (taken from vendor
 * documentation) against the silicon: twelve independent chains of vector FMAs (enough to cover a 4-cycle latency on
 * two pipes) on every core at once, at the vector width oneDNN may use (512-bit with AVX-512 allowed, else 256-bit).
 * If the computed peak is right, this comes to about 100 % of it; much less means fewer or narrower FMA pipes than
 * assumed (e.g. AVX-512 split into two 256-bit halves), a lower clock under vector load, or a JIT that does not emit
 * the width. One dependent chain gives the clock under vector load (4 cycles per FMA on Zen 2–5 and Intel since
 * Skylake), beside {@link CpuClock}'s scalar one. Needs {@code --add-modules jdk.incubator.vector} (the launcher's
 * {@code bench peak} passes it).
 */
public record CpuFma(double gflops, double chainGhz, int threads, int lanes) {
    private static final long ITERATIONS = 50_000_000L;
    private static final int REPEATS = 5;
    private static final int CHAINS = 12;
    /**
     * The width {@link CpuPeak} counts (at least 256-bit). A static final, so the JIT sees a constant species and
     * compiles the loops to vector FMAs; passed as an argument, the same code ran at 2 % of the peak (boxed vectors).
     */
    private static final VectorSpecies<Float> S =
            VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(8, CpuPeak.isaLanes()) * Float.SIZE));

    public static CpuFma measure(int threads) {
        double[][] each = rates(threads);
        double fmasPerNs = 0;
        double chain = 0;
        for (double[] t : each) {
            fmasPerNs += t[0];
            chain += t[1] / threads;
        }
        return new CpuFma(fmasPerNs * S.length() * 2, chain, threads, S.length());
    }

    public String describe(CpuPeak peak) {
        return String.format(Locale.ROOT, "measured: %d independent %d-lane FMA chains on %d threads at once "
                + "%.1f GFLOP/s = %.1f %% of that peak; one dependent chain %.3f GHz at 4 cycles an FMA", CHAINS, lanes,
                threads, gflops, 100 * gflops / peak.gflops(), chainGhz);
    }

    static float independent(long n) {
        FloatVector a = FloatVector.broadcast(S, 0.999f);
        FloatVector b = FloatVector.broadcast(S, 1e-7f);
        // twelve named accumulators, unrolled by hand: an array of vectors would not stay in registers
        FloatVector x0 = a, x1 = b, x2 = a, x3 = b, x4 = a, x5 = b, x6 = a, x7 = b, x8 = a, x9 = b, x10 = a, x11 = b;
        for (long i = 0; i < n; i++) {
            x0 = x0.fma(a, b);
            x1 = x1.fma(a, b);
            x2 = x2.fma(a, b);
            x3 = x3.fma(a, b);
            x4 = x4.fma(a, b);
            x5 = x5.fma(a, b);
            x6 = x6.fma(a, b);
            x7 = x7.fma(a, b);
            x8 = x8.fma(a, b);
            x9 = x9.fma(a, b);
            x10 = x10.fma(a, b);
            x11 = x11.fma(a, b);
        }
        return x0.add(x1).add(x2).add(x3).add(x4).add(x5).add(x6).add(x7).add(x8).add(x9).add(x10).add(x11)
                .reduceLanes(VectorOperators.ADD);
    }

    static float dependent(long n) {
        FloatVector a = FloatVector.broadcast(S, 0.999f);
        FloatVector b = FloatVector.broadcast(S, 1e-7f);
        FloatVector x = a;
        for (long i = 0; i < n; i++) {
            x = x.fma(a, b);
        }
        return x.reduceLanes(VectorOperators.ADD);
    }

    /** Per thread: {FMAs per ns over the independent chains, GHz of the dependent chain}, each its fastest repeat. */
    private static double[][] rates(int threads) {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<CompletableFuture<double[]>> each = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            CompletableFuture<double[]> f = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    float sink = independent(ITERATIONS / 10) + dependent(ITERATIONS / 10); // compiled first
                    double rate = 0;
                    double ghz = 0;
                    for (int r = 0; r < REPEATS; r++) {
                        start.await();
                        long t0 = System.nanoTime();
                        sink += independent(ITERATIONS);
                        rate = Math.max(rate, (double) CHAINS * ITERATIONS / (System.nanoTime() - t0));
                        start.await();
                        t0 = System.nanoTime();
                        sink += dependent(ITERATIONS);
                        ghz = Math.max(ghz, 4.0 * ITERATIONS / (System.nanoTime() - t0));
                    }
                    f.complete(new double[] {rate, ghz, sink == 42f ? 1 : 0}); // the sums are used: not dead code
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            }, "fma-" + t);
            thread.setDaemon(true);
            thread.start();
            each.add(f);
        }
        return each.stream().map(CompletableFuture::join).toArray(double[][]::new);
    }
}
