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
 * {@code <checkout>/.simclr}) so Kafka logs and objects survive down/up. Every process carries the stack's marker
 * (its data directory) and is recorded in {@code <data>/pids.properties}; whoever starts, stops or records them holds
 * {@link StackLock} (one starter at a time, across JVMs); {@code down} stops every process with the marker.
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

    /** How long {@code up} and {@code down} wait for another starter (the supervisor's round, another up). */
    static final Duration LOCK_PATIENCE = Duration.ofMinutes(6);
    /** A process younger than this that does not answer yet is starting, not wedged: it is waited for. */
    static final Duration START_GRACE = Duration.ofSeconds(120);

    /** One process of the stack: its marker name, the port it must hold (0: none) and the setting that moves it. */
    record Component(String name, int port, String setting) {}

    /**
     * Starts what is not running yet — only that: a broker that died is started again without touching a healthy
     * S3 server — adopts a healthy process of this stack that is running unrecorded, replaces one that is running
     * but not live, then waits until everything is healthy. Holds the stack's lock throughout (one starter): another
     * up or the supervisor's round waits for it.
     */
    public void up(boolean withServices, java.io.PrintStream out) throws IOException, InterruptedException {
        up(withServices, false, out);
    }

    /** {@link #up(boolean, java.io.PrintStream)}, then starts (or adopts) the supervisor, in one hold of the lock. */
    public void up(boolean withServices, boolean supervise, java.io.PrintStream out)
            throws IOException, InterruptedException {
        try (StackLock lock = StackLock.acquire(dataDir, "./simclr up", LOCK_PATIENCE, out)) {
            if (withServices) {
                stopUnlisted(out);
            }
            List<String> failed = new ArrayList<>();
            for (Component c : components(withServices)) {
                String problem = ensureAndWait(c, true, out);
                if (problem != null) {
                    failed.add(problem);
                }
            }
            if (!failed.isEmpty()) {
                throw new IllegalStateException(String.join("\n", failed));
            }
            if (supervise) {
                ensureSupervisor(out);
            }
        }
    }

    /** Stops trainer instances an earlier up started with more SIMCLR_TRAINER_INSTANCES than now. */
    void stopUnlisted(java.io.PrintStream out) throws IOException {
        Map<String, Long> pids = readPids();
        List<String> extra = unlisted(pids);
        stopRecorded(pids, extra).forEach(n -> out.println("stopped " + n + ": not in SIMCLR_TRAINER_INSTANCES now"));
        writePids(pids);
        List<String> known = new ArrayList<>(List.of(EmbeddedKafka.PROCESS, EmbeddedS3.PROCESS, Supervisor.PROCESS));
        services.forEach(s -> known.add(s.name()));
        ChildJvm.processesOf(stackId()).forEach((name, handles) -> {
            if (!known.contains(name)) {
                handles.forEach(h -> {
                    ChildJvm.stop(h, 30_000);
                    out.println("stopped " + name + " (pid " + h.pid() + "): not in SIMCLR_TRAINER_INSTANCES now");
                });
            }
        });
    }

    /** What {@code up} brings up, in order: S3 server, broker, then (with services) every service. */
    List<Component> components(boolean withServices) {
        List<Component> all = new ArrayList<>(List.of(new Component(EmbeddedS3.PROCESS, s3Port, "SIMCLR_S3_PORT"),
                new Component(EmbeddedKafka.PROCESS, kafkaPort, "SIMCLR_KAFKA_PORT")));
        if (withServices) {
            services.forEach(s -> all.add(new Component(s.name(), s.port(), "SIMCLR_HTTP_PORT_BASE")));
        }
        return all;
    }

    /**
     * Brings one component up; waits until it is healthy if it was started (or, with {@code awaitKept}, if it was
     * running already); the problem in one line if it cannot (each component on its own: one that cannot start does
     * not keep the others down). The caller holds the lock.
     */
    String ensureAndWait(Component c, boolean awaitKept, java.io.PrintStream out)
            throws IOException, InterruptedException {
        try {
            if (!awaitKept && runsAsRecorded(c)) {
                // the supervisor's every-5-s round: no scan of every process's command line and sockets
                return null;
            }
            Ensured e = ensure(c, out);
            if (!e.started() && !awaitKept) {
                return null;
            }
            awaitHealthy(c, e.process());
            // the services need both; set up again by every up (cheap), in case a start died before it
            if (c.name().equals(EmbeddedS3.PROCESS)) {
                new ObjectStore(settings()).ensureBucket();
            } else if (c.name().equals(EmbeddedKafka.PROCESS)) {
                TopicAdmin.ensureTopics(settings().kafkaBootstrapServers(), Topics.all());
            }
            return null;
        } catch (IllegalStateException | IOException | java.io.UncheckedIOException e) {
            return c.name() + ": " + e.getMessage();
        }
    }

    /**
     * The recorded process is alive, this stack's, and (a service) live or still starting: what a supervisor round
     * needs to know, cheaply. Duplicates and unrecorded processes come only from a start that lost a race, which the
     * lock rules out, or a start killed before it recorded; {@code up} still looks for those.
     */
    private boolean runsAsRecorded(Component c) throws IOException {
        Long pid = readPids().get(c.name());
        Optional<ProcessHandle> h = pid == null ? Optional.empty() : ChildJvm.ours(pid, c.name(), stackId());
        if (h.isEmpty()) {
            return false;
        }
        Optional<Service> service = services.stream().filter(s -> s.name().equals(c.name())).findFirst();
        return service.isEmpty() || young(h.get()) || live(service.get());
    }

    /** The process a component runs as, and whether {@link #ensure} just started it. */
    private record Ensured(ProcessHandle process, boolean started) {}

    /**
     * Makes one component run: keeps a healthy (or still starting) process of this stack, recorded or not, and
     * records it; stops any second one; starts one if none is left. Returns the process to wait for. A port held by
     * a process that is not this stack's is refused by name.
     */
    private Ensured ensure(Component c, java.io.PrintStream out) throws IOException, InterruptedException {
        Map<String, Long> pids = readPids();
        Long recorded = pids.get(c.name());
        List<ProcessHandle> mine = new ArrayList<>(ChildJvm.processesOf(stackId()).getOrDefault(c.name(), List.of()));
        if (recorded != null) {
            ChildJvm.ours(recorded, c.name(), stackId()).filter(h -> !mine.contains(h)).ifPresent(mine::add);
        }
        Optional<Long> holder = c.port() == 0 ? Optional.empty() : Ports.holder(c.port());
        if (holder.isEmpty() && c.port() != 0 && Ports.listening("127.0.0.1", c.port())) {
            throw new IllegalStateException("port " + c.port() + " is taken by a program this user cannot see; "
                    + "choose another with " + c.setting());
        }
        ProcessHandle keeper = null;
        if (holder.isPresent()) {
            long h = holder.get();
            keeper = mine.stream().filter(p -> p.pid() == h).findFirst().orElseThrow(() ->
                    new IllegalStateException("port " + c.port() + " is taken by " + describe(h) + "; choose "
                            + "another with " + c.setting()));
        } else {
            // nobody listens yet: the youngest process still within its start grace is starting up
            keeper = mine.stream().filter(EmbeddedStack::young)
                    .max(java.util.Comparator.comparing(p -> p.info().startInstant().orElse(java.time.Instant.EPOCH)))
                    .orElse(null);
        }
        for (ProcessHandle other : mine) {
            if (!other.equals(keeper)) {
                out.println("stopping " + c.name() + " (pid " + other.pid() + "): "
                        + (keeper == null ? "running but not answering" : "a second one, pid " + keeper.pid()
                        + " holds port " + c.port()));
                ChildJvm.stop(other, 30_000);
            }
        }
        if (keeper != null) {
            if (recorded == null || recorded != keeper.pid()) {
                out.println(c.name() + ": adopted pid " + keeper.pid() + ", which was running unrecorded");
                pids.put(c.name(), keeper.pid());
                writePids(pids);
            }
            Optional<Service> service = services.stream().filter(s -> s.name().equals(c.name())).findFirst();
            if (service.isEmpty() || young(keeper) || live(service.get())) {
                return new Ensured(keeper, false);
            }
            // alive but deaf: its watchdog would end it within a minute; replace it now
            out.println(c.name() + " is running but not live: restarting it");
            ChildJvm.stop(keeper, 30_000);
        }
        pids.remove(c.name());
        writePids(pids);
        ProcessHandle started = start(c, out).toHandle();
        pids.put(c.name(), started.pid());
        writePids(pids);
        return new Ensured(started, true);
    }

    private Process start(Component c, java.io.PrintStream out) throws IOException, InterruptedException {
        StackSettings settings = settings();
        if (c.name().equals(EmbeddedS3.PROCESS)) {
            out.println("starting S3 server (S3Proxy) ...");
            return EmbeddedS3.start(repo, stackId(), dataDir.resolve("s3"), s3Port, settings.accessKey(),
                    settings.secretKey(), logFile(EmbeddedS3.PROCESS));
        }
        if (c.name().equals(EmbeddedKafka.PROCESS)) {
            if (Ports.listening("127.0.0.1", kafkaPort + 1)) {
                throw new IllegalStateException("port " + (kafkaPort + 1) + " is taken by "
                        + Ports.holder(kafkaPort + 1).map(EmbeddedStack::describe).orElse("another program")
                        + "; choose another with SIMCLR_KAFKA_PORT (controller = port + 1)");
            }
            out.println("starting Kafka broker (KRaft) ...");
            return EmbeddedKafka.start(repo, stackId(), dataDir.resolve("kafka"), kafkaPort, kafkaPort + 1,
                    logFile(EmbeddedKafka.PROCESS));
        }
        Service s = services.stream().filter(x -> x.name().equals(c.name())).findFirst().orElseThrow();
        Path jar = repo.serviceJar(s.module());
        if (!Files.exists(jar)) {
            throw new IllegalStateException("missing " + jar + ": build first (mvn -DskipTests install)");
        }
        out.println("starting " + s.name() + " on " + s.url() + " ...");
        // the stack's own settings reach its services too (e.g. TRAINER_SLICE_SECONDS), then its endpoints
        Map<String, String> env = new LinkedHashMap<>(this.env);
        env.putAll(settings.asEnv());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(s.port()));
        return ChildJvm.start(s.name(), stackId(), List.of("-Xmx2g", "-Dai.djl.offline=true"),
                List.of("-jar", jar.toString()), env, logFile(s.name()));
    }

    private void awaitHealthy(Component c, ProcessHandle p) throws IOException {
        StackSettings settings = settings();
        java.util.function.BooleanSupplier ready = switch (c.name()) {
            case EmbeddedS3.PROCESS -> () -> EmbeddedS3.ready(settings.s3Endpoint());
            case EmbeddedKafka.PROCESS -> () -> EmbeddedKafka.ready(settings.kafkaBootstrapServers());
            default -> () -> healthy(services.stream().filter(s -> s.name().equals(c.name())).findFirst()
                    .orElseThrow());
        };
        Waits.until(c.name(), p, ready, c.name().equals(EmbeddedKafka.PROCESS) ? EmbeddedKafka.startTimeout()
                : START_GRACE, logFile(c.name()));
    }

    /** Within its start grace: a process that does not answer yet may still be starting. */
    private static boolean young(ProcessHandle p) {
        return p.info().startInstant().map(t -> t.isAfter(java.time.Instant.now().minus(START_GRACE))).orElse(false);
    }

    /** A pid as the user reads it: this stack's process by name, or another program with its command. */
    private static String describe(long pid) {
        return ChildJvm.name(pid).map(n -> "this platform's " + n + " (pid " + pid + ", of another stack or an "
                        + "earlier port setting)")
                .orElseGet(() -> "another program (pid " + pid + ProcessHandle.of(pid).flatMap(h -> h.info().command())
                        .map(cmd -> ", " + cmd).orElse("") + ")");
    }

    /** The stack's marker: its data directory. */
    String stackId() {
        return dataDir.toString();
    }

    /** Whether the supervisor ({@link Supervisor}) of this stack is running. */
    public boolean supervised() throws IOException {
        return !ChildJvm.processesOf(stackId()).getOrDefault(Supervisor.PROCESS, List.of()).isEmpty()
                || alive(readPids(), Supervisor.PROCESS);
    }

    /** Starts the supervisor, a JVM of its own that keeps the stack up until {@link #down}, unless one runs. */
    public void supervise(java.io.PrintStream out) throws IOException, InterruptedException {
        try (StackLock lock = StackLock.acquire(dataDir, "./simclr up", LOCK_PATIENCE, out)) {
            ensureSupervisor(out);
        }
    }

    /** Exactly one supervisor of this stack, recorded: kept if one runs (the oldest), started if none. */
    private void ensureSupervisor(java.io.PrintStream out) throws IOException {
        Map<String, Long> pids = readPids();
        List<ProcessHandle> running = new ArrayList<>(ChildJvm.processesOf(stackId())
                .getOrDefault(Supervisor.PROCESS, List.of()));
        Long recorded = pids.get(Supervisor.PROCESS);
        if (recorded != null) {
            ChildJvm.ours(recorded, Supervisor.PROCESS, stackId()).filter(h -> !running.contains(h))
                    .ifPresent(running::add);
        }
        running.sort(java.util.Comparator.comparing(p -> p.info().startInstant().orElse(java.time.Instant.EPOCH)));
        if (!running.isEmpty()) {
            running.subList(1, running.size()).forEach(extra -> {
                out.println("stopping a second supervisor (pid " + extra.pid() + ")");
                ChildJvm.stop(extra, 10_000);
            });
            if (recorded == null || recorded != running.get(0).pid()) {
                pids.put(Supervisor.PROCESS, running.get(0).pid());
                writePids(pids);
            }
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.putAll(this.env);
        env.put("SIMCLR_DATA_DIR", dataDir.toString());
        Process p = ChildJvm.start(Supervisor.PROCESS, stackId(), List.of("-Dsimclr.repo.root=" + repo.root()),
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

    /**
     * Stops every process of this stack, recorded or not, the supervisor first (it would start again what down
     * stops; stopping it also frees the lock if it held it); returns their names, unrecorded ones said so.
     */
    public List<String> down() throws IOException, InterruptedException {
        List<String> stopped = new ArrayList<>(stopSupervisors());
        try (StackLock lock = StackLock.acquire(dataDir, "./simclr down", LOCK_PATIENCE, System.err)) {
            stopped.addAll(stopSupervisors()); // one an up started while down waited for the lock
            Map<String, Long> pids = readPids();
            pids.remove(Supervisor.PROCESS);
            List<String> order = new ArrayList<>();
            services.forEach(s -> order.add(s.name()));
            order.addAll(unlisted(pids));
            order.add(EmbeddedKafka.PROCESS);
            order.add(EmbeddedS3.PROCESS);
            stopped.addAll(stopRecorded(pids, order));
            // what this stack started and did not record (a lost race, a crash between start and record)
            ChildJvm.processesOf(stackId()).forEach((name, handles) -> handles.forEach(h -> {
                ChildJvm.stop(h, 30_000);
                stopped.add(name + " (pid " + h.pid() + ", unrecorded)");
            }));
            Files.deleteIfExists(pidsFile());
        }
        return stopped;
    }

    private List<String> stopSupervisors() throws IOException {
        List<String> stopped = new ArrayList<>(stopRecorded(readPids(), List.of(Supervisor.PROCESS)));
        for (ProcessHandle h : ChildJvm.processesOf(stackId()).getOrDefault(Supervisor.PROCESS, List.of())) {
            ChildJvm.stop(h, 10_000);
            stopped.add(Supervisor.PROCESS + " (pid " + h.pid() + ")");
        }
        return stopped;
    }

    /** Recorded processes that are neither the broker, the S3 server, the supervisor nor a service listed now. */
    private List<String> unlisted(Map<String, Long> pids) {
        List<String> known = new ArrayList<>(List.of(EmbeddedKafka.PROCESS, EmbeddedS3.PROCESS, Supervisor.PROCESS));
        services.forEach(s -> known.add(s.name()));
        return pids.keySet().stream().filter(n -> !known.contains(n)).toList();
    }

    /**
     * Each component with its state: "healthy (pid N on port P)", "running, not ready", "stopped", or who else holds
     * its port (this stack's process running unrecorded, or another program).
     */
    public Map<String, String> status() throws IOException {
        StackSettings settings = settings();
        Map<String, Long> pids = readPids();
        Map<String, List<ProcessHandle>> running = ChildJvm.processesOf(stackId());
        Map<String, String> states = new LinkedHashMap<>();
        states.put("kafka " + settings.kafkaBootstrapServers(), state(pids, running,
                new Component(EmbeddedKafka.PROCESS, kafkaPort, ""),
                () -> EmbeddedKafka.ready(settings.kafkaBootstrapServers())));
        states.put("s3 " + settings.s3Endpoint(), state(pids, running, new Component(EmbeddedS3.PROCESS, s3Port, ""),
                () -> EmbeddedS3.ready(settings.s3Endpoint())));
        for (Service s : services) {
            states.put(s.name() + " " + s.url(), state(pids, running, new Component(s.name(), s.port(), ""),
                    () -> healthy(s)));
        }
        for (String name : unlisted(pids)) {
            if (alive(pids, name)) {
                states.put(name, "running, not in SIMCLR_TRAINER_INSTANCES now (pid " + pids.get(name)
                        + "): ./simclr down stops it");
            }
        }
        List<Long> supervisors = running.getOrDefault(Supervisor.PROCESS, List.of()).stream().map(ProcessHandle::pid)
                .toList();
        if (!supervisors.isEmpty()) {
            // no probe: alive, recorded and alone is all a supervisor can be
            states.put(Supervisor.PROCESS, supervisors.size() == 1 && supervisors.get(0).equals(
                    pids.get(Supervisor.PROCESS)) ? "healthy (pid " + supervisors.get(0) + ")"
                    : "running more than once or unrecorded (pids " + supervisors + "): ./simclr up keeps one");
        }
        return states;
    }

    public Path logFile(String process) {
        return dataDir.resolve("logs").resolve(process + ".log");
    }

    private String state(Map<String, Long> pids, Map<String, List<ProcessHandle>> running, Component c,
                         java.util.function.BooleanSupplier healthy) {
        Optional<Long> holder = Ports.holder(c.port());
        Long recorded = pids.get(c.name());
        boolean recordedAlive = recorded != null && ChildJvm.ours(recorded, c.name(), stackId()).isPresent();
        if (holder.isPresent() && !holder.get().equals(recorded)) {
            boolean mine = running.getOrDefault(c.name(), List.of()).stream().anyMatch(h -> h.pid() == holder.get());
            return mine ? (healthy.getAsBoolean() ? "healthy" : "running, not ready") + " (pid " + holder.get()
                    + " on port " + c.port() + ", unrecorded: ./simclr up adopts it)"
                    : "port " + c.port() + " is taken by " + describe(holder.get());
        }
        if (!recordedAlive) {
            return holder.isEmpty() && Ports.listening("127.0.0.1", c.port())
                    ? "port " + c.port() + " is taken by a program this user cannot see" : "stopped";
        }
        String where = " (pid " + recorded + (holder.isPresent() ? " on port " + c.port() : ", not listening yet")
                + ")";
        return (healthy.getAsBoolean() ? "healthy" : "running, not ready") + where;
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
            Optional<ProcessHandle> handle = ChildJvm.ours(pid, name, stackId());
            if (handle.isPresent()) {
                ChildJvm.stop(handle.get(), 30_000);
                stopped.add(name + " (pid " + pid + ")");
            }
        }
        return stopped;
    }

    private boolean alive(Map<String, Long> pids, String name) {
        Long pid = pids.get(name);
        return pid != null && ChildJvm.ours(pid, name, stackId()).isPresent();
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

    /** Written whole to a temporary file and moved over the old one: a reader never sees half a file. */
    private void writePids(Map<String, Long> pids) throws IOException {
        Properties p = new Properties();
        pids.forEach((k, v) -> p.setProperty(k, Long.toString(v)));
        Files.createDirectories(dataDir);
        Path tmp = dataDir.resolve("pids.properties.tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "processes started by ./simclr up (written under stack.lock)");
        }
        Files.move(tmp, pidsFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
