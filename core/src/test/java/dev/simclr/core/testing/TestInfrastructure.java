package dev.simclr.core.testing;

import dev.simclr.contracts.Topics;
import dev.simclr.contracts.StackSettings;
import dev.simclr.infra.LocalInfrastructure;
import dev.simclr.contracts.TopicAdmin;
import dev.simclr.core.store.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The broker and S3 server a test suite runs against, started once per JVM: Kafka and MinIO containers where a
 * Docker daemon answers, otherwise the project's own embedded broker and S3Proxy (real servers in child JVMs).
 * Set {@code -Dsimclr.test.infra=embedded|containers} to force one.
 */
public final class TestInfrastructure {
    private static StackSettings settings;
    private static Path dataDir;
    private static String kind;
    private static long s3Pid = -1;

    private TestInfrastructure() {}

    public static synchronized StackSettings get() {
        if (settings == null) {
            try {
                settings = useContainers() ? startContainers() : startEmbedded();
                new ObjectStore(settings).ensureBucket();
                TopicAdmin.ensureTopics(settings.kafkaBootstrapServers(), Topics.all());
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the test broker and S3 server: " + e.getMessage(), e);
            }
        }
        return settings;
    }

    /** "embedded" or "containers". */
    public static synchronized String kind() {
        get();
        return kind;
    }

    /** The embedded S3 server's process (-1 with containers): lets a test stop and continue it. */
    public static synchronized long embeddedS3Pid() {
        get();
        return s3Pid;
    }

    /** Where the embedded S3 server keeps objects (null with containers): lets a test corrupt one on disk. */
    public static synchronized Path embeddedObjectsDir() {
        get();
        return dataDir == null ? null : dataDir.resolve("s3/objects");
    }

    private static boolean useContainers() {
        String forced = System.getProperty("simclr.test.infra", "");
        if (!forced.isEmpty()) {
            return forced.equals("containers");
        }
        // without a Docker endpoint, do not ask Testcontainers: it logs an ERROR for what is the expected path here
        boolean endpoint = System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
        if (!endpoint) {
            System.out.println("[simclr tests] no Docker endpoint: using the embedded Kafka broker and S3 server");
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static StackSettings startEmbedded() throws Exception {
        dataDir = Files.createTempDirectory("simclr-test-");
        LocalInfrastructure infra = LocalInfrastructure.start(dataDir);
        s3Pid = infra.s3Pid();
        Runtime.getRuntime().addShutdownHook(new Thread(infra::close, "stop-test-infrastructure"));
        kind = "embedded";
        return infra.settings();
    }

    @SuppressWarnings("resource")
    private static StackSettings startContainers() {
        KafkaContainer kafka = new KafkaContainer("apache/kafka:4.1.1");
        MinIOContainer minio = new MinIOContainer("minio/minio:RELEASE.2025-04-22T22-12-26Z");
        kafka.start();
        minio.start();
        kind = "containers";
        return new StackSettings(kafka.getBootstrapServers(), minio.getS3URL(), StackSettings.DEFAULT_BUCKET,
                StackSettings.DEFAULT_REGION, minio.getUserName(), minio.getPassword());
    }
}
