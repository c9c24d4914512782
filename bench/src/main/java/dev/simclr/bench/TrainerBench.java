package dev.simclr.bench;

import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.EncoderFamily;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.simclr.engine.loss.Losses;
import dev.simclr.engine.model.Encoders;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.optim.Optimizer;
import dev.simclr.engine.optim.Trainable;
import dev.simclr.engine.precision.Autocast;
import dev.simclr.engine.precision.Precisions;
import dev.simclr.engine.train.Normalization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code ./simclr bench trainer}: images/s of one SimCLR training step (ResNet-18, projection head, NT-Xent, SGD
 * with momentum; the trainer's step, both views in one batch, or with {@code -Dsimclr.bench.views=separate} one
 * batch per view) in our engine and in PyTorch ({@code torch_simclr_step.py --views joint|separate} in the baselines
 * directory: bench/python, or {@code SIMCLR_BASELINES}), in the same run with the same thread count. Java-side overhead is measured with JDK Flight
 * Recorder: the share of the training thread's samples taken in Java code rather than inside native (libtorch) calls.
 *
 * <p>Then mixed precision: our step in fp32 and in bf16 (forward under libtorch's autocast, loss and update in fp32:
 * {@link Autocast}), their steps interleaved in one JVM so that a busy machine slows both alike (medians of the
 * per-step times), and PyTorch's step on the engine's own model in fp32 and under {@code torch.autocast} the same way
 * ({@code bench/python/torch_simclr_autocast_step.py --precision both}); {@code bf16_vs_fp32 ratio=} is ours at
 * width 1.0.
 */
public final class TrainerBench {
    public record Config(double width, int batch, int size, int channels) {}

    public record Result(Config config, double oursImagesPerSecond, double torchImagesPerSecond,
                         double javaShare) {
        double ratio() {
            return oursImagesPerSecond / torchImagesPerSecond;
        }
    }

    static final String LAYOUT = System.getProperty("simclr.bench.layout", "pipeline");

    /**
     * {@code joint} (the default): both views in one 2N batch through encoder and head, as {@code Pretraining.loss}
     * runs it (batch norm sees both views); {@code separate}: one N batch per view.
     */
    static final String VIEWS = views(System.getProperty("simclr.bench.views", "joint"));

    private static String views(String v) {
        if (!v.equals("joint") && !v.equals("separate")) {
            throw new IllegalArgumentException("simclr.bench.views: joint or separate, got '" + v + "'");
        }
        return v;
    }

    public static final List<Config> CONFIGS = List.of(new Config(1.0, 128, 32, 3), new Config(0.5, 256, 28, 1),
            new Config(0.25, 256, 28, 1));

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path torchScript = Path.of(args.length > 1 ? args[1]
                : Path.of(System.getProperty("simclr.repo.root", ".")).resolve("bench/python").toString())
                .resolve("torch_simclr_step.py");
        int threads = Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", "2"));
        System.out.println("engine " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion()
                + ", threads " + threads + ", steps " + steps + ", input layout " + LAYOUT + ", views " + VIEWS);
        CpuPeak peak = CpuPeak.of(threads);
        CpuPeak.print(peak);
        Path flopScript = Path.of(System.getProperty("simclr.repo.root", ".")).resolve("python/count_flops.py");
        double logSum = 0;
        for (Config c : CONFIGS) {
            Result r = new Result(c, ours(c, steps), torch(torchScript, c, steps, threads), javaShare(c, steps));
            // a step: two views of every image, each forward + backward (about 3 forward passes)
            double stepFlopsPerImage = 2 * 3.0 * forwardFlops(flopScript, c);
            double gflops = r.oursImagesPerSecond() * stepFlopsPerImage / 1e9;
            System.out.printf("resnet18 width=%.2f batch=%d %dx%dx%d: ours %.1f img/s, pytorch %.1f img/s, "
                            + "ratio %.2f, java-side share of the step %.2f %%; %.2f GFLOP per image-step, "
                            + "ours %.1f GFLOP/s = %.1f %% of peak%n", c.width(), c.batch(), c.size(),
                    c.size(), c.channels(), r.oursImagesPerSecond(), r.torchImagesPerSecond(), r.ratio(),
                    100 * r.javaShare(), stepFlopsPerImage / 1e9, gflops, 100 * gflops / peak.gflops());
            logSum += Math.log(r.ratio());
        }
        System.out.printf("trainer_vs_pytorch ratio=%.2f%n", Math.exp(logSum / CONFIGS.size()));
        mixedPrecision(steps, threads, peak, flopScript);
    }

    /** Images/s of interleaved steps: {@code fp32} and {@code bf16}, each the median of its steps' rates. */
    public record Pair(double fp32, double bf16) {
        double ratio() {
            return bf16 / fp32;
        }
    }

    static void mixedPrecision(int steps, int threads, CpuPeak peak, Path flopScript) throws Exception {
        String cpuInfo = Files.readString(Path.of("/proc/cpuinfo"));
        boolean nativeBf16 = Precisions.cpuHasNativeBf16(cpuInfo);
        boolean amx = cpuInfo.contains(" amx_bf16");
        System.out.println("bf16: libtorch autocast " + (Autocast.available() ? "present" : "absent ("
                + Autocast.unavailableReason() + ")") + ", CPU " + (nativeBf16 ? "has native bf16 ("
                + (amx ? "amx_bf16" : "avx512_bf16") + ")" : "has no native bf16: oneDNN emulates it"));
        if (!Autocast.available()) {
            return;
        }
        Path script = Path.of(System.getProperty("simclr.repo.root", "."))
                .resolve("bench/python/torch_simclr_autocast_step.py");
        double logSum = 0;
        for (Config c : CONFIGS) {
            Pair ours = oursInterleaved(c, steps);
            Pair torch = torchInterleaved(script, c, steps, threads);
            double flops = 2 * 3.0 * forwardFlops(flopScript, c);
            double gflops = ours.bf16() * flops / 1e9;
            // avx512_bf16's VDPBF16PS: two bf16 products per fp32 lane, twice the fp32 FMA rate; AMX: not stated
            String share = nativeBf16 && !amx && peak.gflops() > 0 ? String.format(", %.1f %% of the bf16 peak "
                    + "(2 x fp32 peak, VDPBF16PS)", 100 * gflops / (2 * peak.gflops())) : "";
            System.out.printf("resnet18 width=%.2f batch=%d %dx%dx%d bf16: ours %.1f img/s vs our fp32 %.1f = %.2fx;"
                            + " pytorch autocast %.1f img/s vs its fp32 %.1f = %.2fx (same model); ours/pytorch in "
                            + "bf16 %.2f, in fp32 %.2f; ours %.1f GFLOP/s%s%n", c.width(), c.batch(), c.size(),
                    c.size(), c.channels(), ours.bf16(), ours.fp32(), ours.ratio(), torch.bf16(), torch.fp32(),
                    torch.ratio(), ours.bf16() / torch.bf16(), ours.fp32() / torch.fp32(), gflops, share);
            if (c.width() == 1.0) {
                System.out.printf("bf16_vs_fp32 ratio=%.2f%n", ours.ratio());
            }
            logSum += Math.log(ours.bf16() / torch.bf16());
        }
        System.out.printf("trainer_bf16_vs_pytorch_autocast ratio=%.2f%n", Math.exp(logSum / CONFIGS.size()));
    }

    /** Our fp32 and bf16 steps alternating (two warm-up steps each), medians of their rates. */
    static Pair oursInterleaved(Config c, int steps) {
        try (Step fp32 = new Step(c, false); Step bf16 = new Step(c, true)) {
            for (int i = 0; i < 2; i++) {
                fp32.run();
                bf16.run();
            }
            double[] a = new double[steps];
            double[] b = new double[steps];
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                fp32.run();
                long t1 = System.nanoTime();
                bf16.run();
                long t2 = System.nanoTime();
                a[i] = c.batch() / ((t1 - t0) / 1e9);
                b[i] = c.batch() / ((t2 - t1) / 1e9);
            }
            return new Pair(median(a), median(b));
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static Pair torchInterleaved(Path script, Config c, int steps, int threads) throws IOException,
            InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), "--precision", "both", "--width",
                Double.toString(c.width()), "--batch", Integer.toString(c.batch()), "--size",
                Integer.toString(c.size()), "--channels", Integer.toString(c.channels()), "--steps",
                Integer.toString(steps), "--threads", Integer.toString(threads)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("PyTorch autocast baseline failed: " + out);
        }
        Double fp32 = null;
        Double bf16 = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("fp32_images_per_s=")) {
                fp32 = Double.parseDouble(line.substring("fp32_images_per_s=".length()).trim());
            } else if (line.startsWith("bf16_images_per_s=")) {
                bf16 = Double.parseDouble(line.substring("bf16_images_per_s=".length()).trim());
            }
        }
        if (fp32 == null || bf16 == null) {
            throw new IOException("no fp32/bf16 images_per_s in the autocast baseline's output: " + out);
        }
        return new Pair(fp32, bf16);
    }

    /** The step the trainer runs, on fixed random inputs (no augmentation: the step alone is measured). */
    static final class Step implements AutoCloseable {
        final NDManager manager = NDManager.newBaseManager();
        final Network encoder;
        final Network head;
        final Optimizer optimizer;
        final List<Trainable> params = new ArrayList<>();
        final NDArray x1;
        final NDArray x2;
        /** Both views in one batch for the joint step (x1 and x2 null), null for the separate one. */
        final NDArray both;
        final int n;
        /** Forward passes under bf16 autocast, the loss and update in fp32 (as the engine's loops run bf16). */
        final boolean bf16;

        Step(Config c) {
            this(c, false);
        }

        Step(Config c, boolean bf16) {
            this.bf16 = bf16;
            Encoders.Encoder enc = Encoders.build(EncoderFamily.RESNET, 18, c.width(), c.channels());
            encoder = new Network(enc, manager.newSubManager(), new Shape(2, c.channels(), c.size(), c.size()),
                    0);
            head = new Network(Encoders.projectionHead(enc.featureDim(), 2, 128), manager.newSubManager(),
                    new Shape(2, enc.featureDim()), 1);
            optimizer = Optimizer.create(OptimizerName.SGD, 0.9, false, 1e-6, manager);
            for (Network n : List.of(encoder, head)) {
                n.parameters().forEach(p -> {
                    if (p.getValue().requiresGradient()) {
                        params.add(new Trainable(p.getKey() + params.size(), p.getValue().getArray(), false));
                    }
                });
            }
            n = c.batch();
            boolean separate = "separate".equals(VIEWS);
            x1 = separate ? input(c, 1, n) : null;
            x2 = separate ? input(c, 2, n) : null;
            both = separate ? null : input(c, 3, 2 * n);
        }

        /**
         * A batch of random images as the trainer's input: through {@link Normalization#toTensor} in the layout the
         * engine gives this encoder (channels-last from width 0.25, {@code Encoders.channelsLast}), as the loops
         * make it; with {@code -Dsimclr.bench.layout=contiguous}, through the same path but contiguous N×C×H×W (the
         * engine's layout before); with {@code nchw}, random values made by libtorch as PyTorch's baseline makes them.
         */
        NDArray input(Config c, long seed, int images) {
            if ("nchw".equals(LAYOUT)) {
                return manager.randomUniform(0, 1, new Shape(images, c.channels(), c.size(), c.size()));
            }
            byte[] pixels = new byte[images * c.size() * c.size() * c.channels()];
            new Random(seed).nextBytes(pixels);
            float[] half = new float[c.channels()];
            Arrays.fill(half, 0.5f);
            return new Normalization(half, half).toTensor(manager, pixels, images, c.size(), c.size(),
                    c.channels(), encoder.channelsLast() && !"contiguous".equals(LAYOUT));
        }

        double run() {
            try (NDManager step = manager.newSubManager()) {
                // an op's result lives on its first operand's manager: borrow the inputs for the step, so the
                // activations and the autograd graph go when the step ends (as the engine's loops do)
                double loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray l;
                    if (both != null) {
                        both.tempAttach(step);
                        NDArray z;
                        try (Autocast a = Autocast.enter(bf16)) {
                            z = head.forward(encoder.forward(both, true), true);
                        }
                        z = Autocast.toFloat32(z);
                        l = Losses.ntXent(z.get("0:" + n), z.get(n + ":"), 0.5);
                        z.attach(step);
                    } else {
                        x1.tempAttach(step);
                        x2.tempAttach(step);
                        NDArray z1;
                        NDArray z2;
                        try (Autocast a = Autocast.enter(bf16)) {
                            z1 = head.forward(encoder.forward(x1, true), true);
                            z2 = head.forward(encoder.forward(x2, true), true);
                        }
                        z1 = Autocast.toFloat32(z1);
                        z2 = Autocast.toFloat32(z2);
                        l = Losses.ntXent(z1, z2, 0.5);
                        z1.attach(step);
                        z2.attach(step);
                    }
                    l.attach(step);
                    gc.backward(l);
                    loss = l.getFloat();
                }
                optimizer.step(params, 0.1);
                return loss;
            }
        }

        @Override
        public void close() {
            optimizer.close();
            manager.close();
        }
    }

    static double ours(Config c, int steps) {
        try (Step s = new Step(c)) {
            s.run();
            s.run();
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                s.run();
            }
            return c.batch() * steps / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Share of the step thread's JFR samples that were in Java code (the rest were inside native calls). */
    static double javaShare(Config c, int steps) throws IOException {
        Path file = Files.createTempFile("trainer-bench", ".jfr");
        try (Step s = new Step(c); Recording rec = new Recording()) {
            s.run();
            rec.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(5));
            rec.enable("jdk.NativeMethodSample").withPeriod(java.time.Duration.ofMillis(5));
            rec.start();
            for (int i = 0; i < steps; i++) {
                s.run();
            }
            rec.stop();
            rec.dump(file);
        }
        String thread = Thread.currentThread().getName();
        long java = 0;
        long nativeSamples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            var t = e.getThread("sampledThread");
            if (t == null || !thread.equals(t.getJavaName())) {
                continue;
            }
            if (e.getEventType().getName().equals("jdk.ExecutionSample")) {
                java++;
            } else {
                nativeSamples++;
            }
        }
        Files.deleteIfExists(file);
        return java + nativeSamples == 0 ? Double.NaN : (double) java / (java + nativeSamples);
    }

    /** Forward FLOPs per image of encoder + projection head, counted by {@code python/count_flops.py}. */
    static double forwardFlops(Path script, Config c) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), "resnet", "18",
                Double.toString(c.width()), Integer.toString(c.channels()), Integer.toString(c.size()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || !out.startsWith("forward_flops_per_image=")) {
            throw new IOException("count_flops.py failed: " + out);
        }
        return Double.parseDouble(out.substring("forward_flops_per_image=".length()));
    }

    static double torch(Path script, Config c, int steps, int threads) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", script.toString(), "--views", VIEWS));
        command.addAll(List.of("--width", Double.toString(c.width()), "--batch", Integer.toString(c.batch()),
                "--size", Integer.toString(c.size()), "--channels", Integer.toString(c.channels()), "--steps",
                Integer.toString(steps), "--threads", Integer.toString(threads)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("PyTorch baseline failed: " + out);
        }
        for (String line : out.split("\n")) {
            if (line.startsWith("images_per_s=")) {
                return Double.parseDouble(line.substring("images_per_s=".length()).trim());
            }
        }
        throw new IOException("no images_per_s in the baseline's output: " + out);
    }
}
