package dev.simclr.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/** The repository the checks read, and what its services declare about themselves. */
final class Repo {
    static final List<String> SERVICES = List.of("eval-service", "augment-service", "trainer-service",
            "distill-service");
    static final Path ROOT = locate();

    private Repo() {}

    private static Path locate() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("docker-compose.yml")) && Files.isDirectory(p.resolve("deploy"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found above " + Path.of("").toAbsolutePath());
    }

    /** A service's application.properties, as its jar ships them. */
    static Properties properties(String service) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(ROOT.resolve(service + "/src/main/resources/application.properties"))) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static int httpPort(String service) {
        return Integer.parseInt(properties(service).getProperty("quarkus.http.port"));
    }

    static String consumerGroup(String service) {
        return properties(service).getProperty("kafka.group.id");
    }
}
