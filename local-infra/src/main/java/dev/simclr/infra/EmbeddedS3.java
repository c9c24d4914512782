package dev.simclr.infra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real S3-compatible server: S3Proxy with its filesystem backend, in a JVM of its own (its shaded Jetty and
 * logging clash with other classpaths), objects under {@code dataDir}.
 */
public final class EmbeddedS3 {
    public static final String PROCESS = "s3proxy";

    private EmbeddedS3() {}

    public static Process start(RepoLayout repo, Path dataDir, int port, String accessKey, String secretKey,
                                Path logFile) throws IOException {
        return start(repo, null, dataDir, port, accessKey, secretKey, logFile);
    }

    /** Starts the server marked as {@code stack}'s ({@code null}: no stack), logging warnings only. */
    public static Process start(RepoLayout repo, String stack, Path dataDir, int port, String accessKey,
                                String secretKey, Path logFile) throws IOException {
        Path objects = dataDir.resolve("objects").toAbsolutePath();
        Files.createDirectories(objects);
        Path config = dataDir.resolve("s3proxy.properties");
        Files.writeString(config, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                // newer clients send headers S3Proxy does not know; it must not refuse them
                "s3proxy.ignore-unknown-headers=true",
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + objects,
                "jclouds.identity=" + accessKey,
                "jclouds.credential=" + secretKey,
                "jclouds.regions=us-east-1",
                ""));
        // owner-only: the file holds the credentials
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        List<String> jvm = List.of("-Xms64m", "-Xmx384m", "-cp", ChildJvm.classpathOf(repo.s3proxyLib()),
                "-Dlogback.configurationFile=" + repo.s3proxyLogConfig());
        return ChildJvm.start(PROCESS, stack, jvm, List.of("org.gaul.s3proxy.Main", "--properties",
                config.toString()), Map.of(), logFile);
    }

    /** True once the server answers HTTP (any status: an anonymous request is refused with 403). */
    public static boolean ready(String endpoint) {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(endpoint + "/"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() > 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
