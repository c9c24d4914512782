package dev.simclr.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A JVM the platform starts for itself (broker, S3 server, a service). Every one carries
 * {@code -Dsimclr.process=<name>} and, when it belongs to an embedded stack, {@code -Dsimclr.stack=<data directory>}:
 * so {@code ./simclr up|down} find exactly the processes of their own stack, recorded or not, and never touch a
 * stranger that reused a pid or another stack on the same machine (tests and users run several).
 */
public final class ChildJvm {
    public static final String MARKER = "-Dsimclr.process=";
    public static final String STACK_MARKER = "-Dsimclr.stack=";

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
        return start(name, null, jvmArgs, mainAndArgs, env, logFile);
    }

    /**
     * Starts a JVM marked with its name and its stack ({@code null}: none), stdout and stderr appended to
     * {@code logFile} (moved aside first if it outgrew {@link LogFiles#CAP_BYTES}).
     */
    public static Process start(String name, String stack, List<String> jvmArgs, List<String> mainAndArgs,
                                Map<String, String> env, Path logFile) throws IOException {
        Files.createDirectories(logFile.getParent());
        LogFiles.rotateIfOver(logFile, LogFiles.CAP_BYTES);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(MARKER + name);
        if (stack != null) {
            command.add(STACK_MARKER + stack);
        }
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
        return ours(pid, name, null);
    }

    /**
     * The live process with this pid, if it is the platform's process of that name and of this stack ({@code null}:
     * any). A process marked with no stack (started before stacks were marked) counts as the stack's that recorded it.
     */
    public static Optional<ProcessHandle> ours(long pid, String name, String stack) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> {
            List<String> args = arguments(h);
            if (!args.contains(MARKER + name)) {
                return false;
            }
            Optional<String> marked = value(args, STACK_MARKER);
            return stack == null || marked.isEmpty() || marked.get().equals(stack);
        });
    }

    /** Every live process marked as this stack's, by name (more than one of a name after a lost race). */
    public static Map<String, List<ProcessHandle>> processesOf(String stack) {
        Map<String, List<ProcessHandle>> found = new TreeMap<>();
        ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).forEach(h -> {
            List<String> args = arguments(h);
            if (value(args, STACK_MARKER).filter(stack::equals).isPresent()) {
                value(args, MARKER).ifPresent(n -> found.computeIfAbsent(n, k -> new ArrayList<>()).add(h));
            }
        });
        return found;
    }

    /** The process's name marker, if it is one of the platform's. */
    public static Optional<String> name(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> value(arguments(h), MARKER));
    }

    private static Optional<String> value(List<String> args, String marker) {
        return args.stream().filter(a -> a.startsWith(marker)).map(a -> a.substring(marker.length())).findFirst();
    }

    /** The command line as the kernel has it (ProcessHandle.Info truncates it on Linux). */
    private static List<String> arguments(ProcessHandle h) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8);
            return List.of(cmdline.split("\0"));
        } catch (IOException | RuntimeException e) {
            return h.info().arguments().map(List::of).orElse(List.of());
        }
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
