package dev.simclr.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.StackSettings;
import dev.simclr.infra.ChildJvm;
import dev.simclr.infra.EmbeddedS3;
import dev.simclr.infra.Ports;
import dev.simclr.infra.RepoLayout;
import dev.simclr.infra.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded S3 server logs warnings only: without its logback configuration it logged every line of its shaded
 * Jetty at DEBUG (6.6 GB in 70 minutes of an ordinary stack).
 */
class EmbeddedS3LogIT {

    @Test
    void fiveHundredPutsAndGetsLeaveNoDebugLineAndUnderOneMegabyte(@TempDir Path data) throws Exception {
        int port = Ports.free();
        Path log = data.resolve("logs/s3proxy.log");
        Process s3 = EmbeddedS3.start(RepoLayout.locate(), data.resolve("s3"), port, "log-it", "log-it-secret", log);
        try {
            StackSettings settings = new StackSettings("127.0.0.1:1", "http://127.0.0.1:" + port,
                    StackSettings.DEFAULT_BUCKET, StackSettings.DEFAULT_REGION, "log-it", "log-it-secret");
            Waits.until("s3proxy", s3, () -> EmbeddedS3.ready(settings.s3Endpoint()), Duration.ofSeconds(60), log);
            ObjectStore store = new ObjectStore(settings);
            store.ensureBucket();
            for (int i = 0; i < 500; i++) {
                byte[] bytes = ("object " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                store.put("log-it/" + i, bytes, "application/octet-stream");
                assertThat(store.get("log-it/" + i)).isEqualTo(bytes);
            }
        } finally {
            ChildJvm.stop(s3.toHandle(), 10_000);
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).noneMatch(l -> l.contains("DEBUG") || l.contains(" TRACE "));
        assertThat(Files.size(log)).isLessThan(1L << 20);
    }
}
