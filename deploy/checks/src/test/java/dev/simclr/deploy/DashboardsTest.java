package dev.simclr.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards in deploy/grafana: valid JSON on the provisioned datasource, and every platform metric they
 * query is one the services register. (deploy/prometheus/check-dashboards.py runs every query against a real
 * Prometheus scraping the services during an experiment.)
 */
class DashboardsTest {
    private static final Path DASHBOARDS = Repo.ROOT.resolve("deploy/grafana/dashboards");
    private static final Pattern METRIC = Pattern.compile("\\bsimclr_[a-z_]+");

    static List<Path> dashboards() throws IOException {
        try (Stream<Path> s = Files.list(DASHBOARDS)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void everyPanelQueriesTheProvisionedDatasource() throws IOException {
        String uid = Kustomize.read(Repo.ROOT.resolve("deploy/grafana/provisioning/datasources/prometheus.yml"))
                .get(0).path("datasources").get(0).path("uid").asText();
        assertThat(dashboards()).hasSizeGreaterThanOrEqualTo(2);
        Set<String> uids = new HashSet<>();
        for (Path file : dashboards()) {
            JsonNode d = new ObjectMapper().readTree(file.toFile());
            assertThat(uids.add(d.path("uid").asText())).as(file + " uid unique").isTrue();
            assertThat(d.path("panels")).isNotEmpty();
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : d.path("panels")) {
                assertThat(ids.add(panel.path("id").asInt())).as(file + " panel ids unique").isTrue();
                assertThat(panel.path("datasource").path("uid").asText()).isEqualTo(uid);
                assertThat(panel.path("targets")).isNotEmpty();
                panel.path("targets").forEach(t -> assertThat(t.path("expr").asText()).as(panel.path("title")
                        .asText()).isNotBlank());
            }
        }
    }

    @Test
    void everyPlatformMetricQueriedIsRegisteredByTheCode() throws IOException {
        String code = mainSources();
        Set<String> queried = new HashSet<>();
        for (Path file : dashboards()) {
            Matcher m = METRIC.matcher(Files.readString(file));
            while (m.find()) {
                queried.add(m.group().replaceAll("_(sum|count|max|bucket)$", "").replaceAll("_total$", ""));
            }
        }
        assertThat(queried).contains("simclr_train_loss", "simclr_consumer_lag", "simclr_experiment_runs",
                "simclr_process_resident_memory_bytes");
        for (String metric : queried) {
            assertThat(code).as(metric + " registered somewhere").containsPattern("\"" + metric + "(_total)?\"");
        }
    }

    private static String mainSources() throws IOException {
        List<Path> roots = Stream.concat(Stream.of("core", "engine", "runs", "service-kit"), Repo.SERVICES.stream())
                .map(m -> Repo.ROOT.resolve(m + "/src/main/java")).toList();
        try (Stream<Path> s = roots.stream().flatMap(DashboardsTest::walk)) {
            return s.filter(p -> p.toString().endsWith(".java"))
                    .map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).collect(Collectors.joining("\n"));
        }
    }

    private static Stream<Path> walk(Path root) {
        try {
            return Files.walk(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
