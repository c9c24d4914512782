package dev.simclr.infra;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the build put what the embedded stack runs: the servers' classpaths and the services' jars. */
public record RepoLayout(Path root) {

    /** From {@code -Dsimclr.repo.root} or {@code SIMCLR_HOME}, else the first parent of the working dir with the build. */
    public static RepoLayout locate() {
        String configured = System.getProperty("simclr.repo.root", System.getenv("SIMCLR_HOME"));
        if (configured != null && !configured.isBlank()) {
            return new RepoLayout(Path.of(configured).toAbsolutePath().normalize());
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("deploy/embedded/kafka"))) {
                return new RepoLayout(p);
            }
        }
        throw new IllegalStateException("cannot find the simclr checkout: set SIMCLR_HOME");
    }

    public Path kafkaLib() { return root.resolve("deploy/embedded/kafka/target/lib"); }
    public Path kafkaLogConfig() { return root.resolve("deploy/embedded/kafka/log4j2.properties"); }
    public Path s3proxyLib() { return root.resolve("deploy/embedded/s3proxy/target/lib"); }
    public Path s3proxyLogConfig() { return root.resolve("deploy/embedded/s3proxy/logback.xml"); }
    public Path serviceJar(String service) { return root.resolve(service + "/target/quarkus-app/quarkus-run.jar"); }
}
