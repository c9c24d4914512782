package dev.simclr.core.store;

import dev.simclr.contracts.StackSettings;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The one class that talks to object storage (MinIO, S3, S3Proxy). Every object is written with its sha256 in
 * the user metadata and verified on read; multi-object artifacts are published objects first, manifest last, so
 * a reader that finds the manifest finds every object it names. Transient failures are retried with backoff.
 */
public final class ObjectStore {
    private static final Logger LOG = Logger.getLogger(ObjectStore.class);
    /** User metadata key (x-amz-meta-sha256) holding the hex sha256 of the object's bytes. */
    public static final String SHA256_META = "sha256";
    /**
     * How long one operation is retried through I/O errors and 5xx answers before it gives up with a
     * {@link StoreUnavailableException}: {@code S3_RETRY_SECONDS} (20 by default) — long enough for a restart of
     * the store, short enough that a worker holding a Kafka record yields well before the consumer's patience.
     */
    public static final Duration DEFAULT_RETRY_BUDGET = Duration.ofSeconds(
            Long.parseLong(System.getenv().getOrDefault("S3_RETRY_SECONDS", "20")));
    private final Duration retryBudget;

    private final MinioClient client;
    private final String bucket;

    public ObjectStore(StackSettings settings) {
        if (settings.accessKey().isBlank() || settings.secretKey().isBlank()) {
            throw new IllegalArgumentException("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set "
                    + "(for the embedded stack: eval \"$(./simclr env)\")");
        }
        this.client = MinioClient.builder()
                .endpoint(settings.s3Endpoint())
                .region(settings.s3Region())
                .credentials(settings.accessKey(), settings.secretKey())
                .build();
        // a store that hangs (stopped, overloaded) must fail a call, not block it: connect, write and read time
        // out well inside the retry budget, and the call is retried
        this.client.setTimeout(CONNECT_TIMEOUT.toMillis(), WRITE_TIMEOUT.toMillis(), READ_TIMEOUT.toMillis());
        this.bucket = settings.s3Bucket();
        this.retryBudget = DEFAULT_RETRY_BUDGET;
    }

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(60);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    private ObjectStore(ObjectStore base, Duration retryBudget) {
        this.client = base.client;
        this.bucket = base.bucket;
        this.retryBudget = retryBudget;
    }

    /** The same store with another retry budget (the CLI waits longer than a worker inside a slice may). */
    public ObjectStore withRetryBudget(Duration budget) {
        return new ObjectStore(this, budget);
    }

    public String bucket() {
        return bucket;
    }

    public void ensureBucket() {
        retry("ensure bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                LOG.infof("created bucket %s", bucket);
            }
            return null;
        });
    }

    /** Whether the store answers and the bucket exists: the readiness check. */
    public boolean reachable() {
        try {
            return client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        } catch (Exception e) {
            return false;
        }
    }

    /** Writes an object with its sha256 recorded; returns the sha256. */
    public String put(String key, byte[] data, String contentType) {
        String sha = Sha256.hex(data);
        retry("put " + key, () -> client.putObject(PutObjectArgs.builder()
                .bucket(bucket).object(key)
                // one part as large as the object (up to S3's 5 GiB): a single PUT, never a multipart upload, so a
                // kill mid-write leaves no incomplete upload (.mpus-* stubs on S3Proxy) behind
                .stream(new ByteArrayInputStream(data), data.length, Math.max(data.length, 5L * 1024 * 1024))
                .contentType(contentType)
                .userMetadata(Map.of(SHA256_META, sha))
                .build()));
        return sha;
    }

    /** Reads an object and checks it against the sha256 recorded when it was written. */
    public byte[] get(String key) {
        // bytes and recorded sha256 from one response: an object overwritten meanwhile is still consistent
        Object[] bytesAndSha = retry("get " + key, () -> {
            try (GetObjectResponse in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return new Object[] {in.readAllBytes(), in.headers().get("x-amz-meta-" + SHA256_META)};
            }
        });
        byte[] data = (byte[]) bytesAndSha[0];
        String recorded = (String) bytesAndSha[1];
        if (recorded != null) {
            verify(key, data, recorded);
        }
        return data;
    }

    /**
     * An object as a stream, for passing a large one on (a web page's download) without holding it in memory:
     * empty when there is none. Not checked against its sha256 (the reader would have to hold it all first); the
     * caller closes the stream.
     */
    public Optional<InputStream> open(String key) {
        try {
            return Optional.of(retry("open " + key, () -> client.getObject(GetObjectArgs.builder().bucket(bucket)
                    .object(key).build())));
        } catch (ObjectStoreException e) {
            if (e.getCause() instanceof ErrorResponseException missing && isNotFound(missing)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Reads an object and checks it against a sha256 the caller holds (e.g. from a manifest). */
    public byte[] get(String key, String expectedSha256) {
        byte[] data = read(key);
        verify(key, data, expectedSha256);
        return data;
    }

    /** One request: the object, or empty when there is none (polled often: cursors, run results). */
    public Optional<byte[]> getIfExists(String key) {
        try {
            return Optional.of(get(key));
        } catch (ObjectStoreException e) {
            if (e.getCause() instanceof ErrorResponseException missing && isNotFound(missing)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Whether the object is there. A not-found is {@code false} on every attempt, the retried ones included: a store
     * that stalls and then answers "no such key" says the object is not written yet, which is no failure.
     */
    public boolean exists(String key) {
        return retry("stat " + key, () -> {
            try {
                client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return true;
            } catch (ErrorResponseException e) {
                if (isNotFound(e)) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Every key under a prefix, at any depth, sorted. */
    public List<String> list(String prefix) {
        return retry("list " + prefix, () -> {
            List<String> keys = new ArrayList<>();
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket).prefix(prefix).recursive(true).build())) {
                Item item = r.get();
                // the filesystem backend of S3Proxy lists folders as objects: they are not ours
                if (!item.isDir() && !item.objectName().endsWith("/")) {
                    keys.add(item.objectName());
                }
            }
            keys.sort(String::compareTo);
            return keys;
        });
    }

    public void delete(String key) {
        retry("delete " + key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    public void deletePrefix(String prefix) {
        for (String key : list(prefix)) {
            delete(key);
        }
    }

    /**
     * Publishes a multi-object artifact: every object of {@code parts} first, then {@code manifestKey}. Readers
     * look for the manifest only, so they never see half an artifact; a crash before the manifest leaves objects
     * nobody references, which a re-publish with the same deterministic keys overwrites.
     */
    public void publish(Map<String, byte[]> parts, String manifestKey, byte[] manifest) {
        for (var part : parts.entrySet()) {
            put(part.getKey(), part.getValue(), "application/octet-stream");
        }
        put(manifestKey, manifest, "application/json");
    }

    private byte[] read(String key) {
        return retry("get " + key, () -> {
            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
                return in.readAllBytes();
            }
        });
    }

    private static void verify(String key, byte[] data, String expected) {
        String actual = Sha256.hex(data);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new ChecksumMismatchException(key, expected, actual);
        }
    }

    private static boolean isNotFound(ErrorResponseException e) {
        String code = e.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                || e.response().code() == 404;
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws Exception;
    }

    /** Retries I/O errors and 5xx answers with exponential backoff; a 4xx (bad key, no such object) fails at once. */
    private <T> T retry(String what, Call<T> call) {
        long backoff = 100;
        long deadline = System.nanoTime() + retryBudget.toNanos();
        for (int attempt = 1; ; attempt++) {
            boolean last = System.nanoTime() + backoff * 1_000_000 > deadline;
            try {
                return call.call();
            } catch (ErrorResponseException e) {
                if (e.response().code() < 500) {
                    throw new ObjectStoreException(what + ": " + e.errorResponse().code() + " "
                            + e.errorResponse().message(), e);
                }
                if (last) {
                    throw new StoreUnavailableException(what + ": the store answered " + e.response().code()
                            + " for " + retryBudget.toSeconds() + " s (" + attempt + " attempts)", e);
                }
                LOG.warnf("%s: %s, retry %d in %d ms", what, e.getMessage(), attempt, backoff);
            } catch (IOException | io.minio.errors.ServerException | io.minio.errors.InternalException e) {
                if (last) {
                    throw new StoreUnavailableException(what + ": the store did not answer for "
                            + retryBudget.toSeconds() + " s (" + attempt + " attempts): " + e, e);
                }
                LOG.warnf("%s: %s, retry %d in %d ms", what, e.toString(), attempt, backoff);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new ObjectStoreException(what + ": " + e, e);
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new ObjectStoreException(what + ": interrupted", ie);
            }
            backoff = Math.min(backoff * 2, 2_000);
        }
    }
}
