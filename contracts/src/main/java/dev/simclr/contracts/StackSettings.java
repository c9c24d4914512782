package dev.simclr.contracts;

import java.util.Map;

/**
 * Where the platform's broker and object store are, read from the environment, so the same jars run against the
 * embedded default, MinIO and a real Kafka. Defaults are the embedded default's.
 *
 * <ul>
 *   <li>{@code KAFKA_BOOTSTRAP_SERVERS} (127.0.0.1:9092)</li>
 *   <li>{@code S3_ENDPOINT} (http://127.0.0.1:9000), {@code S3_BUCKET} (simclr), {@code S3_REGION} (us-east-1)</li>
 *   <li>{@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}: no default; {@code ./simclr env} prints the
 *   embedded stack's</li>
 * </ul>
 */
public record StackSettings(
        String kafkaBootstrapServers,
        String s3Endpoint,
        String s3Bucket,
        String s3Region,
        String accessKey,
        String secretKey) {

    public static final String DEFAULT_KAFKA = "127.0.0.1:9092";
    public static final String DEFAULT_S3_ENDPOINT = "http://127.0.0.1:9000";
    public static final String DEFAULT_BUCKET = "simclr";
    /** S3Proxy only creates buckets in us-east-1. */
    public static final String DEFAULT_REGION = "us-east-1";

    public static StackSettings fromEnv() {
        return fromMap(System.getenv());
    }

    public static StackSettings fromMap(Map<String, String> env) {
        return new StackSettings(
                env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA),
                env.getOrDefault("S3_ENDPOINT", DEFAULT_S3_ENDPOINT),
                env.getOrDefault("S3_BUCKET", DEFAULT_BUCKET),
                env.getOrDefault("S3_REGION", DEFAULT_REGION),
                env.getOrDefault("AWS_ACCESS_KEY_ID", ""),
                env.getOrDefault("AWS_SECRET_ACCESS_KEY", ""));
    }

    /** The environment a child process (a service, a client) needs to reach this stack. */
    public Map<String, String> asEnv() {
        return Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers,
                "S3_ENDPOINT", s3Endpoint,
                "S3_BUCKET", s3Bucket,
                "S3_REGION", s3Region,
                "AWS_ACCESS_KEY_ID", accessKey,
                "AWS_SECRET_ACCESS_KEY", secretKey);
    }
}
