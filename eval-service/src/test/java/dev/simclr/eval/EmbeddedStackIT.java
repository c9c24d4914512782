package dev.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.Topics;
import dev.simclr.launcher.stack.EmbeddedStack;
import dev.simclr.infra.Ports;
import dev.simclr.infra.RepoLayout;
import dev.simclr.core.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ./simclr up|status|down} does, end to end: broker, S3 server and the four service jars as separate
 * processes, with the default second trainer instance, healthy; down stops exactly them; data survives down/up.
 * Lives in eval-service because it is the last module the reactor builds, so every service jar exists.
 */
class EmbeddedStackIT {

    @Test
    void upStartsEverythingHealthyDownLeavesNothingAndDataSurvives(@TempDir Path data) throws Exception {
        int base = Ports.free(5);
        int kafka = Ports.free(2);
        Map<String, String> env = Map.of("SIMCLR_DATA_DIR", data.toString(), "SIMCLR_KAFKA_PORT",
                Integer.toString(kafka), "SIMCLR_S3_PORT", Integer.toString(Ports.free()),
                "SIMCLR_HTTP_PORT_BASE", Integer.toString(base));
        EmbeddedStack stack = new EmbeddedStack(RepoLayout.locate(), env);
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        try {
            stack.up(true, out);
            assertThat(stack.status()).hasSize(7).allSatisfy((k, v) -> assertThat(v).startsWith("healthy"));
            assertThat(topics(stack.settings().kafkaBootstrapServers()))
                    .containsAll(Topics.all().stream().map(Topics.Spec::name).toList());
            assertThat(Files.getPosixFilePermissions(stack.credentialsFile())).containsExactlyInAnyOrder(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            new ObjectStore(stack.settings()).put("kept/across-restarts", new byte[] {42}, "application/octet-stream");
            Map<String, Long> pids = stack.pids();
            assertThat(pids).containsOnlyKeys("kafka", "s3proxy", "eval-service", "augment-service",
                    "trainer-service", "distill-service", "trainer-service-2");

            // the broker dies: up starts it again, and only it (the S3 server and the services keep their pids)
            kill(pids.get("kafka"));
            stack.up(true, out);
            Map<String, Long> after = stack.pids();
            assertThat(after.get("kafka")).isNotEqualTo(pids.get("kafka"));
            for (String unchanged : List.of("s3proxy", "eval-service", "augment-service", "trainer-service",
                    "distill-service", "trainer-service-2")) {
                assertThat(after.get(unchanged)).as(unchanged).isEqualTo(pids.get(unchanged));
            }
            // the supervisor restarts a service that died, without being asked
            stack.supervise(out);
            kill(after.get("augment-service"));
            Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                Long pid = stack.pids().get("augment-service");
                return pid != null && !pid.equals(after.get("augment-service"))
                        && stack.status().values().stream().allMatch(v -> v.startsWith("healthy"));
            });
            pids = stack.pids();
            assertThat(pids).containsKey("supervisor");

            assertThat(stack.down()).hasSize(8);
            pids.values().forEach(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as("pid " + pid + " still running").isEmpty());
            assertThat(stack.status()).allSatisfy((k, v) -> assertThat(v).isEqualTo("stopped"));
            assertThat(stack.down()).isEmpty();

            stack.up(false, out);
            assertThat(new ObjectStore(stack.settings()).get("kept/across-restarts")).containsExactly(42);
            assertThat(topics(stack.settings().kafkaBootstrapServers())).contains(Topics.TRAIN_REQUESTS);
        } finally {
            stack.down();
        }
    }

    /** kill -9, and wait until it is gone. */
    private static void kill(long pid) throws Exception {
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
        h.destroyForcibly();
        h.onExit().get();
    }

    private static List<String> topics(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            return List.copyOf(admin.listTopics().names().get());
        }
    }
}
