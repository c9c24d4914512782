package dev.simclr.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./simclr bench trainer-profile [steps] [top]}: where the time of the trainer bench's SimCLR step goes inside
 * libtorch. Runs the step of each {@link TrainerBench#CONFIGS} under libtorch's own profiler and prints the
 * operators by self time (an operator's time minus that of the operators it called), as a share of the profiled
 * wall time; the Chrome trace stays in {@code bench/target/} for chrome://tracing ({@code -Dsimclr.profile.shapes=true},
 * e.g. through {@code JDK_JAVA_OPTIONS}, records each operator's input shapes in it, to tell which layer an operator
 * belongs to). Then the convolutions' own speed: their FLOPs (3 × the model's forward FLOPs per view, as the bench counts
 * a step) over their self time, as a share of the cores' fp32 peak ({@link CpuPeak}) — the ceiling the step's other
 * operators (batch norm, ReLU, adds: memory-bound, no counted FLOPs) can only lower.
 */
public final class TrainerProfile {
    record Op(String name, double selfMillis) {}

    /** libtorch's convolution kernels on CPU (oneDNN's), forward and backward, by their operator names. */
    static final Set<String> CONVOLUTIONS = Set.of("aten::mkldnn_convolution",
            "aten::convolution_backward");

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        Path dir = Path.of(System.getProperty("simclr.repo.root", "."), "bench", "target");
        Files.createDirectories(dir);
        int threads = Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", "2"));
        CpuPeak peak = CpuPeak.of(threads);
        CpuPeak.print(peak);
        Path flopScript = Path.of(System.getProperty("simclr.repo.root", ".")).resolve("python/count_flops.py");
        for (int i = 0; i < TrainerBench.CONFIGS.size(); i++) {
            TrainerBench.Config c = TrainerBench.CONFIGS.get(i);
            Path trace = dir.resolve("trainer-profile-" + i + ".json").toAbsolutePath();
            long wallNanos;
            try (TrainerBench.Step s = new TrainerBench.Step(c)) {
                s.run();
                s.run();
                JniUtils.startProfile(false, Boolean.getBoolean("simclr.profile.shapes"), false);
                long t0 = System.nanoTime();
                for (int k = 0; k < steps; k++) {
                    s.run();
                }
                wallNanos = System.nanoTime() - t0;
                JniUtils.stopProfile(trace.toString());
            }
            List<Op> ops = selfTimes(trace);
            double wallMillis = wallNanos / 1e6;
            double inOps = ops.stream().mapToDouble(Op::selfMillis).sum();
            System.out.printf("resnet18 width=%.2f batch=%d %dx%dx%d, %d steps, %.0f ms (profiler on), %.1f %% of "
                            + "it inside libtorch operators; trace %s%n", c.width(), c.batch(), c.size(), c.size(),
                    c.channels(), steps, wallMillis, 100 * inOps / wallMillis, trace);
            for (Op op : ops.subList(0, Math.min(top, ops.size()))) {
                System.out.printf("  %6.2f %%  %9.1f ms  %s%n", 100 * op.selfMillis() / wallMillis, op.selfMillis(),
                        op.name());
            }
            // a step: two views of every image, each forward + backward (about 3 forward passes); the count keeps
            // the projection head's linear layers (< 0.1 %) and the first convolution's input gradient, which
            // libtorch skips (< 0.4 %): an upper bound by that much
            double stepFlops = 2 * 3.0 * TrainerBench.forwardFlops(flopScript, c) * c.batch() * steps;
            double convMillis = ops.stream().filter(op -> CONVOLUTIONS.contains(op.name()))
                    .mapToDouble(Op::selfMillis).sum();
            double convGflops = stepFlops / convMillis / 1e6;
            double stepGflops = stepFlops / wallMillis / 1e6;
            System.out.printf("  convolutions: %.1f %% of the time, %.1f GFLOP/s = %.1f %% of peak; the whole step "
                            + "(profiler on) %.1f GFLOP/s = %.1f %%%n", 100 * convMillis / wallMillis, convGflops,
                    100 * convGflops / peak.gflops(), stepGflops, 100 * stepGflops / peak.gflops());
        }
    }

    /** Self time per operator name from a Chrome trace of complete ("X") events, nested per thread by time. */
    static List<Op> selfTimes(Path trace) throws java.io.IOException {
        JsonNode root = new ObjectMapper().readTree(trace.toFile());
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<JsonNode>> byThread = new HashMap<>();
        for (JsonNode e : events) {
            if ("X".equals(e.path("ph").asText())) {
                byThread.computeIfAbsent(e.path("tid").asText(), t -> new ArrayList<>()).add(e);
            }
        }
        Map<String, Double> self = new HashMap<>();
        for (List<JsonNode> list : byThread.values()) {
            list.sort(Comparator.<JsonNode>comparingDouble(e -> e.path("ts").asDouble())
                    .thenComparing(e -> -e.path("dur").asDouble()));
            Deque<JsonNode> open = new ArrayDeque<>();
            for (JsonNode e : list) {
                double ts = e.path("ts").asDouble();
                while (!open.isEmpty() && end(open.peek()) <= ts) {
                    open.pop();
                }
                double dur = e.path("dur").asDouble();
                if (!open.isEmpty()) {
                    self.merge(open.peek().path("name").asText(), -dur, Double::sum);
                }
                self.merge(e.path("name").asText(), dur, Double::sum);
                open.push(e);
            }
        }
        return self.entrySet().stream().map(e -> new Op(e.getKey(), e.getValue() / 1000))
                .sorted(Comparator.comparingDouble(Op::selfMillis).reversed()).toList();
    }

    private static double end(JsonNode e) {
        return e.path("ts").asDouble() + e.path("dur").asDouble();
    }
}
