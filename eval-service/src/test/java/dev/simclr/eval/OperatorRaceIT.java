package dev.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.TestImages;
import dev.simclr.infra.ChildJvm;
import dev.simclr.infra.Ports;
import dev.simclr.infra.RepoLayout;
import dev.simclr.launcher.stack.EmbeddedStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an impatient operator does (issue 27): with an experiment running and the supervisor up, {@code kill -9} a
 * component, then two {@code ./simclr up} at once — each the CLI's own code path in a JVM of its own — racing each
 * other and the supervisor. After every round each component is healthy, every recorded pid is alive and holds its
 * port, and no process carrying this stack's marker is unrecorded; the experiment completes with the metrics of
 * the same spec run undisturbed; after {@code down} no process of the stack is left.
 */
class OperatorRaceIT {
    /** Generous: on 2 cores a service's start takes 10-30 s, and an up may wait for the supervisor's round first. */
    static final Duration ROUND_BOUND = Duration.ofMinutes(4);

    @Test
    void killThenTwoUpsAtOnceNeverWedgesTheStack(@TempDir Path data) throws Exception {
        Map<String, String> env = new LinkedHashMap<>(Map.of("SIMCLR_DATA_DIR", data.toString(),
                "SIMCLR_KAFKA_PORT", Integer.toString(Ports.free(2)), "SIMCLR_S3_PORT", Integer.toString(Ports.free()),
                "SIMCLR_HTTP_PORT_BASE", Integer.toString(Ports.free(4)),
                "TRAINER_SLICE_SECONDS", "2", "SIMCLR_TRAINER_INSTANCES", "1"));
        EmbeddedStack stack = new EmbeddedStack(RepoLayout.locate(), env);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        String eval = stack.services().get(0).url();
        List<String> timeline = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            stack.up(true, quiet);
            stack.supervise(quiet);
            ObjectStore store = new ObjectStore(stack.settings());
            new DatasetStore(store).publish("race-it", "v1", List.of("a", "b", "c", "d"),
                    Map.of("train", TestImages.stripes(384, 16, 1), "test", TestImages.stripes(64, 16, 2)), "test",
                    1000);

            String raced = StackDrill.submit(eval, "race-it", "raced", 4, 0.05);
            for (String victim : List.of("trainer-service", "eval-service", "augment-service", "kafka",
                    "distill-service")) {
                Long pid = stack.pids().get(victim);
                assertThat(pid).as("%s recorded", victim).isNotNull();
                StackDrill.kill(pid);
                Path[] said = {data.resolve("up-" + victim + "-a.out"), data.resolve("up-" + victim + "-b.out")};
                List<Process> ups = List.of(cliUp(env, said[0]), cliUp(env, said[1]));
                try {
                    for (int i = 0; i < 2; i++) {
                        Process up = ups.get(i);
                        boolean returned = up.waitFor(ROUND_BOUND.toSeconds(), TimeUnit.SECONDS);
                        up.destroyForcibly();
                        String printed = java.nio.file.Files.readString(said[i], StandardCharsets.UTF_8);
                        assertThat(returned).as("./simclr up after kill -9 of %s returns; it printed:%n%s%n"
                                + "supervisor:%n%s", victim, printed, tail(stack.logFile("supervisor"))).isTrue();
                        assertThat(up.exitValue()).as("./simclr up after kill -9 of %s:%n%s", victim, printed)
                                .isZero();
                    }
                } finally {
                    ups.forEach(Process::destroyForcibly); // never an up left to start the stack after down
                }
                Awaitility.await().atMost(ROUND_BOUND).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> assertWhole(stack));
                timeline.add(victim + " killed and back " + StackDrill.since(t0));
            }
            JsonNode end = StackDrill.awaitEnd(eval, raced);
            assertThat(end.path("status").asText()).as(end.toString()).isEqualTo("COMPLETED");
            timeline.add("raced done " + StackDrill.since(t0));

            String undisturbed = StackDrill.submit(eval, "race-it", "undisturbed", 4, 0.05);
            JsonNode reference = StackDrill.awaitEnd(eval, undisturbed);
            assertThat(reference.path("status").asText()).as(reference.toString()).isEqualTo("COMPLETED");
            timeline.add("undisturbed done " + StackDrill.since(t0));
            System.out.println("operator race: " + String.join(", ", timeline));
            StackDrill.assertSameMetrics(store, undisturbed, raced);
        } finally {
            stack.down();
        }
        assertThat(stackProcesses(data)).as("processes of the stack after down").isEmpty();
    }

    /** Every component healthy; each recorded pid alive and holding its port; nothing of the stack unrecorded. */
    private static void assertWhole(EmbeddedStack stack) throws Exception {
        assertThat(stack.status()).allSatisfy((k, v) -> assertThat(v).as(k).startsWith("healthy"));
        Map<String, Long> pids = stack.pids();
        Map<String, Integer> ports = new LinkedHashMap<>();
        stack.services().forEach(s -> ports.put(s.name(), s.port()));
        ports.put("kafka", Integer.parseInt(stack.settings().kafkaBootstrapServers().replaceAll(".*:", "")));
        ports.put("s3proxy", Integer.parseInt(stack.settings().s3Endpoint().replaceAll(".*:", "")));
        ports.forEach((name, port) -> {
            assertThat(pids).as("recorded").containsKey(name);
            assertThat(Ports.holder(port)).as("the pid holding %s's port %d", name, port).contains(pids.get(name));
        });
        assertThat(pids).containsKey("supervisor");
        List<Long> unrecorded = new ArrayList<>(stackProcesses(stack.dataDir()));
        unrecorded.removeAll(pids.values());
        assertThat(unrecorded).as("processes of the stack not recorded (recorded: %s)", pids).isEmpty();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (java.io.IOException e) {
            return "(no " + log + ")";
        }
    }

    private static List<Long> stackProcesses(Path data) {
        return ChildJvm.processesOf(data.toAbsolutePath().toString()).values().stream()
                .flatMap(List::stream).map(ProcessHandle::pid).toList();
    }

    /** {@code ./simclr up} as the script runs it: the CLI's main in a JVM of its own, with the stack's settings. */
    private static Process cliUp(Map<String, String> env, Path output) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder b = new ProcessBuilder(java, "-Dsimclr.repo.root=" + RepoLayout.locate().root(), "-cp",
                System.getProperty("java.class.path"), "dev.simclr.launcher.cli.Simclr", "up")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        b.environment().putAll(env);
        return b.start();
    }
}
