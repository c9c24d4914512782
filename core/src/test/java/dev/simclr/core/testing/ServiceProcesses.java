package dev.simclr.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.infra.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * Services of this build started as their own processes against the test broker and S3 server (from
 * {@code ../<service>/target/quarkus-app}, built before the ITs run), for tests that kill, restart or scale them.
 * {@link #close} kills whatever is still running.
 */
public final class ServiceProcesses implements AutoCloseable {
    private final List<Process> started = new ArrayList<>();

    /** Starts {@code service} on {@code port} with the stack's endpoints plus {@code env}; waits until it is up. */
    public Process start(String service, int port, Map<String, String> env, Path log) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(TestInfrastructure.get().asEnv());
        all.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        // a killed member leaves its group within seconds, not the default 45
        all.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
        all.put("KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        all.putAll(env);
        // libtorch's default thread count in every process: sums split over other counts round differently
        Process p = ChildJvm.start(service + "-test", List.of("-Xmx1g", "-Dai.djl.offline=true"),
                List.of("-jar", "../" + service + "/target/quarkus-app/quarkus-run.jar"), all, log);
        started.add(p);
        Awaitility.await().atMost(Duration.ofMinutes(2)).until(() -> !p.isAlive()
                || Files.readString(log).contains("Installed features"));
        assertThat(p.isAlive()).as("%s started (see %s)", service, log).isTrue();
        return p;
    }

    @Override
    public void close() {
        started.forEach(Process::destroyForcibly);
    }
}
