package dev.simclr.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clock the cores run at, measured, because a guest's {@code /proc/cpuinfo} reports a nominal figure (2.6 GHz on
 * hosts whose cores turbo well above it). A loop-carried dependency chain of known latency is timed on every core at
 * once (all-core turbo, as under the bench's load): {@code x = x * x} costs 3 cycles an iteration (64-bit
 * {@code imul r64, r64}: latency 3 on every Intel core since Nehalem and every AMD Zen, Agner Fog's instruction
 * tables; data-independent). Nothing else is in the chain: no register copy (move elimination, which some Intel
 * microcode turns off) and no add of an immediate (which Golden Cove's renamer folds away at zero latency). The JIT
 * cannot fold squarings (unlike {@code x *= K}, which it unrolls into {@code x * K⁸}), so 3 × iterations / seconds is
 * the clock. Scalar code: on Intel an AVX-512-heavy load may run a lower clock licence, which makes the peak
 * computed from this clock an upper bound and the share of it a lower bound. Measure on a quiet machine: another process on the cores slows the chain, never speeds it up.
 */
public record CpuClock(double ghz, double slowestThreadGhz, int threads) {
    private static final long ITERATIONS = 50_000_000L;
    private static final int REPEATS = 7;
    private static final AtomicLong SINK = new AtomicLong();

    public String describe() {
        return String.format(Locale.ROOT, "%.3f GHz measured (imul chain on %d threads at once, the slowest "
                + "thread %.3f)", ghz, threads, slowestThreadGhz);
    }

    public static CpuClock measure(int threads) {
        double[] each = rates(threads);
        return new CpuClock(Arrays.stream(each).average().orElse(0), Arrays.stream(each).min().orElse(0), threads);
    }

    static long mulChain(long x, long n) {
        for (long i = 0; i < n; i++) {
            x = x * x;
        }
        return x;
    }

    /** Per thread, GHz from its fastest repeat (a repeat the OS preempted is slower, never faster). */
    private static double[] rates(int threads) {
        CyclicBarrier start = new CyclicBarrier(threads);
        List<CompletableFuture<Double>> each = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = 3 + 2L * t;
            CompletableFuture<Double> f = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    double best = 0;
                    long sink = mulChain(seed, ITERATIONS); // warm-up: compiled before the timed repeats
                    for (int r = 0; r < REPEATS; r++) {
                        start.await();
                        long t0 = System.nanoTime();
                        sink += mulChain(seed + r, ITERATIONS);
                        best = Math.max(best, 3.0 * ITERATIONS / (System.nanoTime() - t0)); // 3 cycles an imul
                    }
                    SINK.addAndGet(sink); // the chains' results are used: not dead code
                    f.complete(best);
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            }, "clock-" + t);
            thread.setDaemon(true);
            thread.start();
            each.add(f);
        }
        return each.stream().mapToDouble(CompletableFuture::join).toArray();
    }
}
