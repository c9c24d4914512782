package dev.simclr.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.simclr.contracts.StackSettings;
import dev.simclr.core.testing.TestInfrastructure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real S3 server (embedded S3Proxy, or MinIO where Docker runs). */
class ObjectStoreIT {
    ObjectStore store;
    String prefix;

    @BeforeEach
    void setUp() {
        store = new ObjectStore(TestInfrastructure.get());
        prefix = "test/" + UUID.randomUUID() + "/";
    }

    @Test
    void putRecordsSha256AndGetVerifiesIt() {
        byte[] data = "hello shards".getBytes(StandardCharsets.UTF_8);
        String sha = store.put(prefix + "a.bin", data, "application/octet-stream");
        assertThat(sha).isEqualTo(Sha256.hex(data));
        assertThat(store.get(prefix + "a.bin")).isEqualTo(data);
        assertThat(store.get(prefix + "a.bin", sha)).isEqualTo(data);
        assertThatThrownBy(() -> store.get(prefix + "a.bin", "00" + sha.substring(2)))
                .isInstanceOf(ChecksumMismatchException.class).hasMessageContaining(prefix + "a.bin");
    }

    @Test
    void bytesChangedBehindOurBackAreDetected() throws Exception {
        Path objects = TestInfrastructure.embeddedObjectsDir();
        assumeTrue(objects != null, "needs the embedded S3 server's files");
        String key = prefix + "victim.bin";
        store.put(key, new byte[] {1, 2, 3, 4}, "application/octet-stream");
        Path onDisk = objects.resolve(store.bucket()).resolve(key);
        assertThat(onDisk).exists();
        Files.write(onDisk, new byte[] {1, 2, 3, 5});
        assertThatThrownBy(() -> store.get(key)).isInstanceOf(ChecksumMismatchException.class);
    }

    @Test
    void listsDeletesAndReportsExistence() {
        store.put(prefix + "x/1", new byte[] {1}, "application/octet-stream");
        store.put(prefix + "x/2", new byte[] {2}, "application/octet-stream");
        store.put(prefix + "y/3", new byte[] {3}, "application/octet-stream");
        assertThat(store.list(prefix + "x/")).containsExactly(prefix + "x/1", prefix + "x/2");
        assertThat(store.exists(prefix + "y/3")).isTrue();
        store.delete(prefix + "y/3");
        assertThat(store.exists(prefix + "y/3")).isFalse();
        assertThat(store.getIfExists(prefix + "y/3")).isEmpty();
        store.deletePrefix(prefix);
        assertThat(store.list(prefix)).isEmpty();
    }

    @Test
    void publishWritesTheManifestLast() {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        parts.put(prefix + "art/part-0", new byte[] {0});
        parts.put(prefix + "art/part-1", new byte[] {1});
        store.publish(parts, prefix + "art/manifest.json", "{}".getBytes());
        assertThat(store.list(prefix + "art/")).containsExactly(prefix + "art/manifest.json",
                prefix + "art/part-0", prefix + "art/part-1");
    }

    @Test
    void missingObjectIsAClearErrorAndWrongCredentialsAreRefused() {
        assertThatThrownBy(() -> store.get(prefix + "nope")).isInstanceOf(ObjectStoreException.class)
                .hasMessageContaining(prefix + "nope");
        StackSettings s = TestInfrastructure.get();
        ObjectStore intruder = new ObjectStore(new StackSettings(s.kafkaBootstrapServers(), s.s3Endpoint(),
                s.s3Bucket(), s.s3Region(), s.accessKey(), "wrong-secret"));
        assertThat(intruder.reachable()).isFalse();
        assertThatThrownBy(() -> new ObjectStore(new StackSettings("", s.s3Endpoint(), "b", "us-east-1", "", "")))
                .hasMessageContaining("AWS_ACCESS_KEY_ID");
    }

    /**
     * A store that stops answering for seconds (SIGSTOP, as a paused or overloaded server) is waited out: a
     * 6 MB object (over minio's 5 MiB part size) goes up in one PUT once it answers again, no multipart upload is
     * left behind, and a store that stays away fails the call as unavailable (transient) within its budget.
     */
    @Test
    void aStoreThatStopsAnsweringIsWaitedOutAndLeavesNoPartialUpload() throws Exception {
        long pid = TestInfrastructure.embeddedS3Pid();
        org.junit.jupiter.api.Assumptions.assumeTrue(pid > 0, "needs the embedded S3 server (its process)");
        byte[] big = new byte[6 * 1024 * 1024];
        new java.util.Random(1).nextBytes(big);
        signal("STOP", pid);
        var put = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.put(prefix + "big", big,
                "application/octet-stream"));
        try {
            Thread.sleep(4000);
            assertThat(put).isNotDone();
        } finally {
            signal("CONT", pid);
        }
        assertThat(put.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Sha256.hex(big));
        assertThat(store.get(prefix + "big")).isEqualTo(big);
        Path objects = TestInfrastructure.embeddedObjectsDir();
        try (var files = java.nio.file.Files.walk(objects)) {
            assertThat(files.map(Path::toString).filter(f -> f.contains(".mpus") || f.contains("multipart")))
                    .as("incomplete multipart uploads").isEmpty();
        }
        // stopped for longer than the budget: the call fails as unavailable (transient) instead of hanging — the
        // guard is a liveness bound (a call without timeouts would block for ever), not a speed figure
        ObjectStore impatient = store.withRetryBudget(java.time.Duration.ofSeconds(1));
        signal("STOP", pid);
        try {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofMinutes(2), () ->
                    assertThatThrownBy(() -> impatient.get(prefix + "big"))
                            .isInstanceOf(StoreUnavailableException.class));
        } finally {
            signal("CONT", pid);
        }
    }

    /**
     * A stat in flight while the store stalls longer than a read timeout is retried; when the store answers again
     * a missing object is {@code false} (not written yet: the trainer waits for it), a present one {@code true};
     * a refusal that is not a not-found (wrong credentials) still fails, and not as a transient.
     */
    @Test
    void existsAcrossAStallSaysFalseForAMissingObjectAndStillFailsOnARefusal() throws Exception {
        long pid = TestInfrastructure.embeddedS3Pid();
        org.junit.jupiter.api.Assumptions.assumeTrue(pid > 0, "needs the embedded S3 server (its process)");
        store.put(prefix + "there", new byte[] {1}, "application/octet-stream");
        signal("STOP", pid);
        java.util.concurrent.CompletableFuture<Boolean> missing;
        java.util.concurrent.CompletableFuture<Boolean> present;
        try {
            missing = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.exists(prefix + "not-yet"));
            present = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.exists(prefix + "there"));
            // past the read timeout: the first attempts fail with an I/O error, the retries meet the live store
            Thread.sleep(ObjectStore.READ_TIMEOUT.plusSeconds(3).toMillis());
        } finally {
            signal("CONT", pid);
        }
        assertThat(missing.get(60, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
        assertThat(present.get(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        StackSettings s = TestInfrastructure.get();
        ObjectStore intruder = new ObjectStore(new StackSettings(s.kafkaBootstrapServers(), s.s3Endpoint(),
                s.s3Bucket(), s.s3Region(), s.accessKey(), "wrong-secret"));
        assertThatThrownBy(() -> intruder.exists(prefix + "there")).isInstanceOf(ObjectStoreException.class)
                .matches(e -> !dev.simclr.core.Transient.in(e), "not transient");
    }

    private static void signal(String sig, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor()).isZero();
    }
}
