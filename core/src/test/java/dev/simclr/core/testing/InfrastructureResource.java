package dev.simclr.core.testing;

import dev.simclr.contracts.StackSettings;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a {@code @QuarkusTest} service at {@link TestInfrastructure}'s real broker and S3 server. */
public class InfrastructureResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        StackSettings s = TestInfrastructure.get();
        return Map.of(
                "kafka.bootstrap.servers", s.kafkaBootstrapServers(),
                "simclr.s3.endpoint", s.s3Endpoint(),
                "simclr.s3.bucket", s.s3Bucket(),
                "simclr.s3.region", s.s3Region(),
                "simclr.s3.access-key", s.accessKey(),
                "simclr.s3.secret-key", s.secretKey());
    }

    @Override
    public void stop() {
        // stopped by TestInfrastructure's shutdown hook: one broker per test JVM, not per test class
    }
}
