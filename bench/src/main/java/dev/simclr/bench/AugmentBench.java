package dev.simclr.bench;

import dev.simclr.core.augment.AugmentPolicy;
import dev.simclr.core.augment.Augmenter;
import dev.simclr.core.dataset.LabelledImages;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code ./simclr bench augment}: images/s on one core (two views per image, the SimCLR policy at the baseline's
 * colour strength 0.8, random uint8 images) of our augmentation and of torchvision's, run in the same session.
 * 32×32×3 and 28×28×1 (grey PIL images), both against {@code torchvision_augment.py} in the baselines directory
 * (bench/python, or {@code SIMCLR_BASELINES}). Also prints our throughput on all cores. Last line:
 * {@code augment_vs_torchvision ratio=<geometric mean of the two per-core ratios>}.
 */
public final class AugmentBench {
    private static final String POLICY = "simclr strength=0.8";

    record Case(int size, int channels, List<String> baseline) {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path baselines = Path.of(args.length > 1 ? args[1]
                : Path.of(System.getProperty("simclr.repo.root", ".")).resolve("bench/python").toString());
        String script = baselines.resolve("torchvision_augment.py").toString();
        int cores = Runtime.getRuntime().availableProcessors();
        List<Case> cases = List.of(
                new Case(32, 3, List.of(script, "--size", "32", "--channels", "3", "--strength", "0.8")),
                new Case(28, 1, List.of(script, "--size", "28", "--channels", "1", "--strength", "0.8")));
        System.out.println("policy \"" + POLICY + "\", two views per image, " + n + " images, " + cores + " cores");
        double logSum = 0;
        for (Case c : cases) {
            LabelledImages images = randomImages(n, c.size(), c.channels());
            double ours = oursPerSecond(images, 1);
            double oursAll = oursPerSecond(images, cores);
            double theirs = torchvision(c.baseline(), n);
            double ratio = ours / theirs;
            logSum += Math.log(ratio);
            System.out.printf("%dx%dx%d: ours %.0f img/s on one core (%.0f on %d cores), torchvision %.0f img/s on one"
                    + " core, ratio %.2f%n", c.size(), c.size(), c.channels(), ours, oursAll, cores, theirs, ratio);
        }
        System.out.printf("augment_vs_torchvision ratio=%.2f%n", Math.exp(logSum / cases.size()));
    }

    static LabelledImages randomImages(int n, int size, int channels) {
        byte[] px = new byte[n * size * size * channels];
        new SplittableRandom(0).nextBytes(px);
        return new LabelledImages(size, size, channels, px, new long[n]);
    }

    /**
     * Images/s (two views each) through {@link Augmenter} in batches of 256, after a JIT warm-up: at least 2 s, then
     * until two successive passes agree within 5 % (at most 20 s) — on a busy machine the compiler may not have
     * finished the vectorised loops after a fixed 2 s, and the measurement would time the interpreter.
     */
    static double oursPerSecond(LabelledImages images, int threads) {
        int n = images.count();
        try (Augmenter a = new Augmenter(images, AugmentPolicy.parse(POLICY), 1, "bench", 2, threads)) {
            long warmStart = System.nanoTime();
            int epoch = 0;
            double previous = 0;
            while (true) {
                long p0 = System.nanoTime();
                pass(a, n, epoch++);
                double rate = n / ((System.nanoTime() - p0) / 1e9);
                long warmed = System.nanoTime() - warmStart;
                if (warmed > 20_000_000_000L || (warmed > 2_000_000_000L && Math.abs(rate - previous) < 0.05 * rate)) {
                    break;
                }
                previous = rate;
            }
            long t0 = System.nanoTime();
            int images0 = 0;
            do {
                pass(a, n, epoch++);
                images0 += n;
            } while (System.nanoTime() - t0 < 3_000_000_000L);
            return images0 / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static void pass(Augmenter a, int n, int epoch) {
        for (int start = 0; start < n; start += 256) {
            int[] idx = new int[Math.min(256, n - start)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = start + i;
            }
            a.views(epoch, start / 256, idx);
        }
    }

    static double torchvision(List<String> script, int n) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3"));
        cmd.addAll(script);
        cmd.addAll(List.of("--n", Integer.toString(n)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String rate = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith("images_per_s=")) {
                    rate = line.substring("images_per_s=".length());
                }
            }
        }
        if (p.waitFor() != 0 || rate == null) {
            throw new IllegalStateException("torchvision baseline failed (" + String.join(" ", cmd) + "):\n" + all
                    + "install it with: sudo apt-get install python3-torchvision");
        }
        return Double.parseDouble(rate.trim());
    }
}
