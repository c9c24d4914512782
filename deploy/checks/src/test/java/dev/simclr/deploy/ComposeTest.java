package dev.simclr.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml and what it mounts: services, ports from the code, configuration only through the env. */
class ComposeTest {
    private static final Path COMPOSE = Repo.ROOT.resolve("docker-compose.yml");
    private static final Path GPU = Repo.ROOT.resolve("deploy/compose/gpu.yml");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:?[-?][^}]*)?}");

    private static JsonNode services() {
        return compose(COMPOSE).path("services");
    }

    /** A compose file as compose reads it: SnakeYAML resolves anchors, aliases and merge keys (Jackson does not). */
    static JsonNode compose(Path file) {
        try {
            Object tree = new Yaml().load(Files.readString(file));
            return new ObjectMapper().valueToTree(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theStackAndTheFourServicesEachItsOwnImageFromTheSharedDockerfile() {
        JsonNode services = services();
        Set<String> names = new TreeSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("kafka", "minio", "minio-setup", "topics", "prometheus", "grafana")
                .containsAll(Repo.SERVICES);
        for (String s : Repo.SERVICES) {
            JsonNode svc = services.path(s);
            assertThat(Repo.ROOT.resolve(svc.path("build").path("dockerfile").asText())).isRegularFile();
            assertThat(svc.path("build").path("args").path("SERVICE").asText()).isEqualTo(s);
            assertThat(svc.path("image").asText()).contains("/" + s + ":");
            assertThat(svc.path("ports").toString()).contains(String.valueOf(Repo.httpPort(s)));
            assertThat(svc.path("environment").path("KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo("kafka:9092");
            assertThat(svc.path("environment").path("S3_ENDPOINT").asText()).isEqualTo("http://minio:9000");
            assertThat(svc.path("depends_on").path("topics").path("condition").asText())
                    .isEqualTo("service_completed_successfully");
        }
        // the CUDA variants exist and the GPU override uses them
        JsonNode gpu = compose(GPU).path("services");
        for (String s : List.of("trainer-service", "distill-service")) {
            String dockerfile = gpu.path(s).path("build").path("dockerfile").asText();
            assertThat(dockerfile).isEqualTo("deploy/docker/Dockerfile.cuda");
            assertThat(Repo.ROOT.resolve(dockerfile)).isRegularFile();
            assertThat(gpu.path(s).path("build").path("args").path("SERVICE").asText()).isEqualTo(s);
            assertThat(gpu.path(s).path("deploy").toString()).contains("nvidia");
        }
    }

    @Test
    void noSecretIsCommittedAndEveryVariableIsInTheEnvExample() throws IOException {
        String compose = Files.readString(COMPOSE) + Files.readString(GPU);
        Set<String> used = new TreeSet<>();
        Matcher m = VARIABLE.matcher(compose);
        while (m.find()) {
            used.add(m.group(1));
        }
        Set<String> example = Files.readAllLines(Repo.ROOT.resolve(".env.example")).stream()
                .filter(l -> l.contains("=") && !l.startsWith("#")).map(l -> l.substring(0, l.indexOf('=')))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(example).containsAll(used);
        // passwords have no default: compose refuses to start without them
        for (String secret : List.of("MINIO_ROOT_PASSWORD", "GRAFANA_ADMIN_PASSWORD")) {
            assertThat(compose).doesNotContainPattern("\\$\\{" + secret + ":?-");
            assertThat(Files.readString(Repo.ROOT.resolve(".env.example"))).contains(secret + "=\n");
        }
        assertThat(Files.readString(Repo.ROOT.resolve(".gitignore")).lines()).contains(".env");
    }

    @Test
    void prometheusScrapesEachServiceOnItsPortAndGrafanaGetsItsProvisioning() {
        JsonNode prom = Kustomize.read(Repo.ROOT.resolve("deploy/prometheus/prometheus.yml")).get(0);
        JsonNode job = prom.path("scrape_configs").get(0);
        assertThat(job.path("metrics_path").asText()).isEqualTo("/q/metrics");
        for (String s : Repo.SERVICES) {
            assertThat(job.path("dns_sd_configs")).anySatisfy(sd -> {
                assertThat(sd.path("names").get(0).asText()).isEqualTo(s);
                assertThat(sd.path("port").asInt()).isEqualTo(Repo.httpPort(s));
            });
        }
        for (String service : List.of("prometheus", "grafana")) {
            for (JsonNode volume : services().path(service).path("volumes")) {
                String host = volume.asText().split(":")[0];
                if (host.startsWith("./")) {
                    assertThat(Repo.ROOT.resolve(host)).exists();
                }
            }
        }
    }

    /** Where a compose client is installed (never a daemon here), it must accept the file as it stands. */
    @Test
    void aComposeClientAcceptsTheFiles(@TempDir Path tmp) throws Exception {
        List<String> client = composeClient();
        assumeTrue(client != null, "no docker compose / docker-compose client on this machine");
        Path env = tmp.resolve(".env");
        Files.write(env, Files.readAllLines(Repo.ROOT.resolve(".env.example")).stream()
                .map(l -> l.endsWith("=") ? l + "check" : l).toList());
        List<String> cmd = new ArrayList<>(client);
        cmd.addAll(List.of("--env-file", env.toString(), "-f", COMPOSE.toString(), "-f", GPU.toString(), "config",
                "-q"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static List<String> composeClient() throws InterruptedException {
        for (List<String> c : List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
            try {
                List<String> version = new ArrayList<>(c);
                version.add("version");
                Process p = new ProcessBuilder(version).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return c;
                }
            } catch (IOException e) {
                // not installed
            }
        }
        return null;
    }
}
