package dev.simclr.infra;

import dev.simclr.contracts.TopicAdmin;
import dev.simclr.contracts.Topics;
import dev.simclr.contracts.StackSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A real Kafka broker and a real S3 server, each in its own JVM, with the platform's topics created (the bucket is the caller's, through its object store):
 * what tests run against on a machine without Docker, and what {@code ./simclr up} starts first.
 */
public final class LocalInfrastructure implements AutoCloseable {
    private final Process kafka;
    private final Process s3;
    private final StackSettings settings;

    private LocalInfrastructure(Process kafka, Process s3, StackSettings settings) {
        this.kafka = kafka;
        this.s3 = s3;
        this.settings = settings;
    }

    /** Starts both servers on free ports under {@code dataDir} with fresh credentials. */
    public static LocalInfrastructure start(Path dataDir) throws IOException, InterruptedException {
        return start(RepoLayout.locate(), dataDir, Ports.free(), Ports.free(), Ports.free(),
                "simclr-" + UUID.randomUUID().toString().substring(0, 8), UUID.randomUUID().toString());
    }

    public static LocalInfrastructure start(RepoLayout repo, Path dataDir, int kafkaPort, int controllerPort,
                                            int s3Port, String accessKey, String secretKey)
            throws IOException, InterruptedException {
        Path logs = dataDir.resolve("logs");
        Process kafka = EmbeddedKafka.start(repo, dataDir.resolve("kafka"), kafkaPort, controllerPort,
                logs.resolve("kafka.log"));
        Process s3 = EmbeddedS3.start(repo, dataDir.resolve("s3"), s3Port, accessKey, secretKey,
                logs.resolve("s3proxy.log"));
        StackSettings settings = new StackSettings("127.0.0.1:" + kafkaPort, "http://127.0.0.1:" + s3Port,
                StackSettings.DEFAULT_BUCKET, StackSettings.DEFAULT_REGION, accessKey, secretKey);
        LocalInfrastructure infra = new LocalInfrastructure(kafka, s3, settings);
        try {
            Waits.until("s3proxy", s3, () -> EmbeddedS3.ready(settings.s3Endpoint()),
                    java.time.Duration.ofSeconds(60), logs.resolve("s3proxy.log"));
            Waits.until("kafka", kafka, () -> EmbeddedKafka.ready(settings.kafkaBootstrapServers()),
                    EmbeddedKafka.startTimeout(), logs.resolve("kafka.log"));
            TopicAdmin.ensureTopics(settings.kafkaBootstrapServers(), Topics.all());
            return infra;
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
    }

    public StackSettings settings() {
        return settings;
    }

    public long kafkaPid() {
        return kafka.pid();
    }

    public long s3Pid() {
        return s3.pid();
    }

    @Override
    public void close() {
        ChildJvm.stop(kafka.toHandle(), 20_000);
        ChildJvm.stop(s3.toHandle(), 10_000);
    }
}
