package dev.simclr.launcher.stack;

import dev.simclr.infra.ChildJvm;
import dev.simclr.infra.EmbeddedKafka;
import dev.simclr.infra.EmbeddedS3;
import dev.simclr.contracts.TopicAdmin;
import dev.simclr.contracts.Topics;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.infra.Ports;
import dev.simclr.infra.RepoLayout;
import dev.simclr.infra.Waits;
import dev.simclr.contracts.StackSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The embedded default that {@code ./simclr up|status|env|down} manages: broker, S3 server and the four services
 * as separate processes, everything under one data directory ({@code SIMCLR_DATA_DIR}, default
 * {@code <checkout>/.simclr}) so Kafka logs and objects survive down/up. Pids are recorded in
 * {@code <data>/pids.properties}; {@code down} stops exactly those processes (checked by their marker).
 *
 * <p>Ports: {@code SIMCLR_KAFKA_PORT} (9092; controller on the next port), {@code SIMCLR_S3_PORT} (9000),
 * {@code SIMCLR_HTTP_PORT_BASE} (8080: eval-service, then augment, trainer, distill, then further trainer instances).
 *
 * <p>{@code SIMCLR_TRAINER_INSTANCES} (default 2, 1 to 8): trainer-service processes in one consumer group, sharing
 * the train-request partitions as trainer pods do, so one that dies leaves the other training while the supervisor
 * restarts it. A trainer runs one slice at a time and a small run's slice keeps about 1.4 of 2 cores busy; a second
 * instance keeps them busy, though the demo does not end sooner (docs/benchmarks.md has the measurement).
 */
public final class EmbeddedStack {
    /** {@code name}: the process's marker, pid key and log name; {@code module}: whose jar it runs. */
    public record Service(String name, String module, int port) {
        public String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    private final RepoLayout repo;
    private final Path dataDir;
    private final int kafkaPort;
    private final int s3Port;
    private final List<Service> services;
    /** The settings this stack was made with (data directory, ports): the supervisor gets the same. */
    private final Map<String, String> env;

    public EmbeddedStack(RepoLayout repo, Map<String, String> env) {
        this.repo = repo;
        this.env = Map.copyOf(env);
        this.dataDir = Path.of(env.getOrDefault("SIMCLR_DATA_DIR", repo.root().resolve(".simclr").toString()))
                .toAbsolutePath();
        this.kafkaPort = Integer.parseInt(env.getOrDefault("SIMCLR_KAFKA_PORT", "9092"));
        this.s3Port = Integer.parseInt(env.getOrDefault("SIMCLR_S3_PORT", "9000"));
        int base = Integer.parseInt(env.getOrDefault("SIMCLR_HTTP_PORT_BASE", "8080"));
        List<Service> all = new ArrayList<>(List.of(new Service("eval-service", "eval-service", base),
                new Service("augment-service", "augment-service", base + 1),
                new Service("trainer-service", "trainer-service", base + 2),
                new Service("distill-service", "distill-service", base + 3)));
        int trainers = trainerInstances(env.getOrDefault("SIMCLR_TRAINER_INSTANCES", "2"));
        for (int k = 2; k <= trainers; k++) {
            all.add(new Service("trainer-service-" + k, "trainer-service", base + 2 + k));
        }
        this.services = List.copyOf(all);
    }

    static final int MAX_TRAINER_INSTANCES = 8;

    private static int trainerInstances(String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= MAX_TRAINER_INSTANCES) {
                return n;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException("SIMCLR_TRAINER_INSTANCES: expected a whole number from 1 to "
                + MAX_TRAINER_INSTANCES + ", got '" + value + "'");
    }

    public Path dataDir() {
        return dataDir;
    }

    public List<Service> services() {
        return services;
    }

    public Path credentialsFile() {
        return dataDir.resolve("credentials.properties");
    }

    /** The stack's endpoints and credentials (credentials generated on first use, kept owner-readable only). */
    public StackSettings settings() throws IOException {
        Properties creds = new Properties();
        Path file = credentialsFile();
        if (!Files.exists(file)) {
            Files.createDirectories(dataDir);
            byte[] secret = new byte[24];
            new SecureRandom().nextBytes(secret);
            creds.setProperty("access-key", "simclr");
            creds.setProperty("secret-key", HexFormat.of().formatHex(secret));
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file)) {
                creds.store(out, "embedded S3 credentials, generated by ./simclr up");
            }
        }
        try (InputStream in = Files.newInputStream(file)) {
            creds.load(in);
        }
        return new StackSettings("127.0.0.1:" + kafkaPort, "http://127.0.0.1:" + s3Port,
                StackSettings.DEFAULT_BUCKET, StackSettings.DEFAULT_REGION,
                creds.getProperty("access-key"), creds.getProperty("secret-key"));
    }

    /**
     * Starts what is not running yet — only that: a broker that died is started again without touching a healthy
     * S3 server — and a service that is running but not live (its channels failed) is replaced; then waits until
     * everything is healthy.
     */
    public synchronized void up(boolean withServices, java.io.PrintStream out) throws IOException, InterruptedException {
        StackSettings settings = settings();
        Map<String, Long> pids = readPids();
        Path logs = dataDir.resolve("logs");
        if (!alive(pids, EmbeddedS3.PROCESS)) {
            stopRecorded(pids, List.of(EmbeddedS3.PROCESS));
            requireFree(s3Port, "SIMCLR_S3_PORT");
            out.println("starting S3 server (S3Proxy) ...");
            Process s3 = EmbeddedS3.start(repo, dataDir.resolve("s3"), s3Port, settings.accessKey(),
                    settings.secretKey(), logs.resolve("s3proxy.log"));
            pids.put(EmbeddedS3.PROCESS, s3.pid());
            writePids(pids);
            Waits.until("s3proxy", s3, () -> EmbeddedS3.ready(settings.s3Endpoint()), Duration.ofSeconds(60),
                    logs.resolve("s3proxy.log"));
            new ObjectStore(settings).ensureBucket();
        }
        if (!alive(pids, EmbeddedKafka.PROCESS)) {
            stopRecorded(pids, List.of(EmbeddedKafka.PROCESS));
            requireFree(kafkaPort, "SIMCLR_KAFKA_PORT");
            requireFree(kafkaPort + 1, "SIMCLR_KAFKA_PORT (controller = port + 1)");
            out.println("starting Kafka broker (KRaft) ...");
            Process kafka = EmbeddedKafka.start(repo, dataDir.resolve("kafka"), kafkaPort, kafkaPort + 1,
                    logs.resolve("kafka.log"));
            pids.put(EmbeddedKafka.PROCESS, kafka.pid());
            writePids(pids);
            Waits.until("kafka", kafka, () -> EmbeddedKafka.ready(settings.kafkaBootstrapServers()),
                    EmbeddedKafka.startTimeout(), logs.resolve("kafka.log"));
            TopicAdmin.ensureTopics(settings.kafkaBootstrapServers(), Topics.all());
        }
        if (withServices) {
            // instances recorded by an earlier up with more SIMCLR_TRAINER_INSTANCES than now
            stopRecorded(pids, unlisted(pids));
            writePids(pids);
            List<Process> started = new ArrayList<>();
            for (Service s : services) {
                if (alive(pids, s.name())) {
                    if (live(s)) {
                        continue;
                    }
                    // alive but deaf: its watchdog would end it within a minute; replace it now
                    out.println(s.name() + " is running but not live: restarting it");
                    stopRecorded(pids, List.of(s.name()));
                }
                started.add(startService(s, settings, pids, out));
            }
            for (Service s : services) {
                Process p = started.stream().filter(x -> x.pid() == pids.get(s.name())).findFirst().orElse(null);
                Waits.until(s.name(), p, () -> healthy(s), Duration.ofSeconds(120), logFile(s.name()));
            }
        }
    }

    private Process startService(Service s, StackSettings settings, Map<String, Long> pids, java.io.PrintStream out)
            throws IOException {
        Path jar = repo.serviceJar(s.module());
        if (!Files.exists(jar)) {
            throw new IllegalStateException("missing " + jar + ": build first (mvn -DskipTests install)");
        }
        requireFree(s.port(), "SIMCLR_HTTP_PORT_BASE");
        out.println("starting " + s.name() + " on " + s.url() + " ...");
        // the stack's own settings reach its services too (e.g. TRAINER_SLICE_SECONDS), then its endpoints
        Map<String, String> env = new LinkedHashMap<>(this.env);
        env.putAll(settings.asEnv());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(s.port()));
        Process p = ChildJvm.start(s.name(), List.of("-Xmx2g", "-Dai.djl.offline=true"),
                List.of("-jar", jar.toString()), env, logFile(s.name()));
        pids.put(s.name(), p.pid());
        writePids(pids);
        return p;
    }

    /** Whether the supervisor ({@link Supervisor}) this stack started is running. */
    public boolean supervised() throws IOException {
        return alive(readPids(), Supervisor.PROCESS);
    }

    /** Starts the supervisor, a JVM of its own that keeps the stack up until {@link #down}. */
    public void supervise(java.io.PrintStream out) throws IOException {
        Map<String, Long> pids = readPids();
        if (alive(pids, Supervisor.PROCESS)) {
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.putAll(this.env);
        env.put("SIMCLR_DATA_DIR", dataDir.toString());
        Process p = ChildJvm.start(Supervisor.PROCESS, List.of("-Dsimclr.repo.root=" + repo.root()),
                List.of("-cp", System.getProperty("java.class.path"), Supervisor.class.getName()), env,
                logFile(Supervisor.PROCESS));
        pids.put(Supervisor.PROCESS, p.pid());
        writePids(pids);
        out.println("supervisor started (pid " + p.pid() + "): restarts what dies or stays unhealthy; logs in "
                + logFile(Supervisor.PROCESS));
    }

    /** Liveness (not readiness): false for a service whose messaging channels have failed. */
    static boolean live(Service s) {
        return get(s.url() + "/q/health/live");
    }

    /** Stops every process this stack recorded, the supervisor first; returns their names. */
    public List<String> down() throws IOException {
        // the supervisor first, then what it may have started meanwhile: the pids are read again after it
        List<String> stopped = new ArrayList<>(stopRecorded(readPids(), List.of(Supervisor.PROCESS)));
        Map<String, Long> pids = readPids();
        pids.remove(Supervisor.PROCESS);
        List<String> order = new ArrayList<>();
        services.forEach(s -> order.add(s.name()));
        order.addAll(unlisted(pids));
        order.add(EmbeddedKafka.PROCESS);
        order.add(EmbeddedS3.PROCESS);
        stopped.addAll(stopRecorded(pids, order));
        Files.deleteIfExists(pidsFile());
        return stopped;
    }

    /** Recorded processes that are neither the broker, the S3 server, the supervisor nor a service listed now. */
    private List<String> unlisted(Map<String, Long> pids) {
        List<String> known = new ArrayList<>(List.of(EmbeddedKafka.PROCESS, EmbeddedS3.PROCESS, Supervisor.PROCESS));
        services.forEach(s -> known.add(s.name()));
        return pids.keySet().stream().filter(n -> !known.contains(n)).toList();
    }

    /** Each component with its state: "healthy", "running, not ready" or "stopped". */
    public Map<String, String> status() throws IOException {
        StackSettings settings = settings();
        Map<String, Long> pids = readPids();
        Map<String, String> states = new LinkedHashMap<>();
        states.put("kafka " + settings.kafkaBootstrapServers(), state(pids, EmbeddedKafka.PROCESS,
                () -> EmbeddedKafka.ready(settings.kafkaBootstrapServers())));
        states.put("s3 " + settings.s3Endpoint(), state(pids, EmbeddedS3.PROCESS,
                () -> EmbeddedS3.ready(settings.s3Endpoint())));
        for (Service s : services) {
            states.put(s.name() + " " + s.url(), state(pids, s.name(), () -> healthy(s)));
        }
        for (String name : unlisted(pids)) {
            if (alive(pids, name)) {
                states.put(name, "running, not in SIMCLR_TRAINER_INSTANCES now (pid " + pids.get(name)
                        + "): ./simclr down stops it");
            }
        }
        return states;
    }

    public Path logFile(String process) {
        return dataDir.resolve("logs").resolve(process + ".log");
    }

    private String state(Map<String, Long> pids, String name, java.util.function.BooleanSupplier healthy) {
        if (!alive(pids, name)) {
            return "stopped";
        }
        return healthy.getAsBoolean() ? "healthy (pid " + pids.get(name) + ")"
                : "running, not ready (pid " + pids.get(name) + ")";
    }

    static boolean healthy(Service s) {
        return get(s.url() + "/q/health/ready");
    }

    private static boolean get(String url) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private List<String> stopRecorded(Map<String, Long> pids, List<String> names) {
        List<String> stopped = new ArrayList<>();
        for (String name : names) {
            Long pid = pids.remove(name);
            if (pid == null) {
                continue;
            }
            Optional<ProcessHandle> handle = ChildJvm.ours(pid, name);
            if (handle.isPresent()) {
                ChildJvm.stop(handle.get(), 30_000);
                stopped.add(name + " (pid " + pid + ")");
            }
        }
        return stopped;
    }

    private static boolean alive(Map<String, Long> pids, String name) {
        Long pid = pids.get(name);
        return pid != null && ChildJvm.ours(pid, name).isPresent();
    }

    private static void requireFree(int port, String setting) {
        if (Ports.listening("127.0.0.1", port)) {
            throw new IllegalStateException("port " + port + " is taken by another program; choose another with "
                    + setting);
        }
    }

    private Path pidsFile() {
        return dataDir.resolve("pids.properties");
    }

    /** The processes this stack started and recorded, by name. */
    public Map<String, Long> pids() throws IOException {
        return readPids();
    }

    private Map<String, Long> readPids() throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        if (Files.exists(pidsFile())) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(pidsFile())) {
                p.load(in);
            }
            p.stringPropertyNames().forEach(n -> pids.put(n, Long.parseLong(p.getProperty(n))));
        }
        return pids;
    }

    private void writePids(Map<String, Long> pids) throws IOException {
        Properties p = new Properties();
        pids.forEach((k, v) -> p.setProperty(k, Long.toString(v)));
        Files.createDirectories(dataDir);
        try (OutputStream out = Files.newOutputStream(pidsFile())) {
            p.store(out, "processes started by ./simclr up");
        }
    }
}
