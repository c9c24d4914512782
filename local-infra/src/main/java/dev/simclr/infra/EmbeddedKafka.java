package dev.simclr.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one JVM of its own), its log under
 * {@code dataDir}. The storage is formatted once; the cluster id is kept so a restart reuses the same log.
 */
public final class EmbeddedKafka {
    public static final String PROCESS = "kafka";

    private EmbeddedKafka() {}

    public static Process start(RepoLayout repo, Path dataDir, int port, int controllerPort, Path logFile)
            throws IOException, InterruptedException {
        return start(repo, null, dataDir, port, controllerPort, logFile);
    }

    /** Starts the broker marked as {@code stack}'s ({@code null}: no stack). */
    public static Process start(RepoLayout repo, String stack, Path dataDir, int port, int controllerPort,
                                Path logFile) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        Path config = dataDir.resolve("server.properties");
        Files.writeString(config, serverProperties(dataDir.resolve("log").toAbsolutePath(), port, controllerPort));
        List<String> jvm = List.of("-Xms256m", "-Xmx768m", "-cp", ChildJvm.classpathOf(repo.kafkaLib()),
                "-Dlog4j2.configurationFile=" + repo.kafkaLogConfig());
        if (!Files.exists(dataDir.resolve("log/meta.properties"))) {
            Path idFile = dataDir.resolve("cluster.id");
            if (!Files.exists(idFile)) {
                Files.writeString(idFile, Uuid.randomUuid().toString());
            }
            // with controller.quorum.voters set, --standalone must not be passed
            ChildJvm.run(jvm, List.of("kafka.tools.StorageTool", "format", "-t",
                    Files.readString(idFile).trim(), "-c", config.toString()));
        }
        return ChildJvm.start(PROCESS, stack, jvm, List.of("kafka.Kafka", config.toString()), Map.of(), logFile);
    }

    static String serverProperties(Path logDir, int port, int controllerPort) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDir,
                "num.partitions=1",
                // one node: every internal topic with one replica, and no wait before the first rebalance
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.retention.hours=168",
                "") ;
    }

    /** True once the broker answers a metadata request. */
    public static boolean ready(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        try (Admin admin = Admin.create(p)) {
            return !admin.describeCluster().nodes().get().isEmpty();
        } catch (Exception e) {
            return false;
        } finally {
            Thread.interrupted();
        }
    }

    public static Duration startTimeout() {
        return Duration.ofSeconds(90);
    }
}
