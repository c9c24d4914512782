package dev.simclr.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JVM the platform starts for itself (broker, S3 server, a service). Every one carries
 * {@code -Dsimclr.process=<name>} so that {@code ./simclr down} stops exactly the processes it started, and
 * never a stranger that reused a pid.
 */
public final class ChildJvm {
    public static final String MARKER = "-Dsimclr.process=";

    /**
     * The widest instruction set of libtorch's oneDNN kernels: by default all the CPU has. oneDNN reads it once, from
     * the environment, so a cap the caller sets (e.g. {@code AVX2}) is passed on to every JVM that may load libtorch.
     * The AVX-512 crash that once made AVX2 the default is oneDNN issue 6035 — a 1×1 stride-2 backward-weights
     * kernel on channels-last input with few channels — and the engine feeds contiguous NCHW tensors only
     * ({@code Normalization.toTensor}; {@code OneByOneStrideTwoGradientsTest}).
     */
    public static final String LIBTORCH_ISA_VARIABLE = "ONEDNN_MAX_CPU_ISA";
    public static final String LIBTORCH_ISA_DEFAULT = "ALL";

    /**
     * libtorch's OpenMP threads spin between parallel regions by default. The embedded stack runs three libtorch
     * services on the same cores, and their spinning threads took the CPU from each other's work: two concurrent
     * trainers at 2 threads each on 2 cores trained 40 img/s each, against 93 each with passive waiting (and 177
     * alone, either way). The figures are in docs/benchmarks.md.
     */
    public static final String OPENMP_WAIT_VARIABLE = "OMP_WAIT_POLICY";
    public static final String OPENMP_WAIT_DEFAULT = "PASSIVE";

    private ChildJvm() {}

    public static Process start(String name, List<String> jvmArgs, List<String> mainAndArgs,
                                Map<String, String> env, Path logFile) throws IOException {
        Files.createDirectories(logFile.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(MARKER + name);
        command.addAll(jvmArgs);
        command.addAll(mainAndArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putIfAbsent(LIBTORCH_ISA_VARIABLE, LIBTORCH_ISA_DEFAULT);
        builder.environment().putIfAbsent(OPENMP_WAIT_VARIABLE, OPENMP_WAIT_DEFAULT);
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs a JVM to completion (a one-off tool such as the Kafka storage formatter); its output is returned. */
    public static String run(List<String> jvmArgs, List<String> mainAndArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(mainAndArgs);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("command failed (" + p.exitValue() + "): " + String.join(" ", command) + "\n" + out);
        }
        return out;
    }

    /** The live process with this pid, if it is the platform's process of that name. */
    public static Optional<ProcessHandle> ours(long pid, String name) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> {
            try {
                String cmdline = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
                return cmdline.contains(MARKER + name + "\0");
            } catch (IOException e) {
                return h.info().arguments().map(a -> List.of(a).contains(MARKER + name)).orElse(false);
            }
        });
    }

    /** SIGTERM, then SIGKILL after {@code graceMillis}; returns once the process is gone. */
    public static void stop(ProcessHandle handle, long graceMillis) {
        handle.destroy();
        try {
            handle.onExit().get(graceMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception timeoutOrInterrupt) {
            handle.destroyForcibly();
            handle.onExit().join();
        }
    }

    /** A classpath of every jar in a directory, as {@code java -cp} takes it. */
    public static String classpathOf(Path libDir) {
        if (!Files.isDirectory(libDir)) {
            throw new IllegalStateException("missing " + libDir + ": build first (mvn -DskipTests install)");
        }
        return libDir.resolve("*").toString();
    }
}
