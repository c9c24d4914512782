package dev.simclr.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kubernetes manifests in deploy/k8s, rendered per overlay, parsed strictly into the Kubernetes model, and held
 * to what the services and topics really are (ports, consumer groups, partitions come from the code, not copies).
 */
class ManifestsTest {
    private static final Path K8S = Repo.ROOT.resolve("deploy/k8s");
    private static final Map<String, String> REQUEST_TOPICS = Map.of("trainer-service", Topics.TRAIN_REQUESTS,
            "augment-service", Topics.AUGMENT_REQUESTS, "distill-service", Topics.DISTILL_REQUESTS);

    /** The rendered overlay: objects the Kubernetes model knows, parsed strictly, and the others as trees. */
    private record Rendered(List<HasMetadata> objects, List<JsonNode> custom) {
        <T extends HasMetadata> List<T> all(Class<T> type) {
            return objects.stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends HasMetadata> T one(Class<T> type, String name) {
            return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
        }

        List<JsonNode> custom(String kind) {
            return custom.stream().filter(n -> n.path("kind").asText().equals(kind)).toList();
        }
    }

    private static Rendered render(String overlay) {
        List<ObjectNode> docs = Kustomize.render(K8S.resolve(overlay));
        return new Rendered(docs.stream().filter(StrictModel::known).map(StrictModel::parse).toList(),
                docs.stream().filter(n -> !StrictModel.known(n)).map(n -> (JsonNode) n).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
    void everyServiceIsADeploymentWithProbesResourcesConfigAndScrapeAnnotations(String overlay) {
        Rendered r = render(overlay);
        assertThat(r.all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(Repo.SERVICES);
        for (String name : Repo.SERVICES) {
            Deployment d = r.one(Deployment.class, name);
            assertThat(d.getMetadata().getNamespace()).isEqualTo("simclr");
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            int port = Repo.httpPort(name);
            assertThat(c.getPorts()).anySatisfy(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getContainerPort()).isEqualTo(port);
            });
            assertProbe(c.getLivenessProbe(), "/q/health/live");
            assertProbe(c.getReadinessProbe(), "/q/health/ready");
            assertProbe(c.getStartupProbe(), "/q/health/started");
            for (String kind : List.of("cpu", "memory")) {
                assertThat(c.getResources().getRequests()).containsKey(kind);
                assertThat(c.getResources().getLimits()).containsKey(kind);
                assertThat(Quantity.getAmountInBytes(c.getResources().getRequests().get(kind)))
                        .isLessThanOrEqualTo(Quantity.getAmountInBytes(c.getResources().getLimits().get(kind)));
            }
            assertThat(c.getEnvFrom()).extracting(e -> e.getConfigMapRef() == null ? null
                    : e.getConfigMapRef().getName()).contains("simclr-config");
            assertThat(c.getEnvFrom()).extracting(e -> e.getSecretRef() == null ? null : e.getSecretRef().getName())
                    .contains("simclr-s3");
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/port", String.valueOf(port))
                    .containsEntry("prometheus.io/path", "/q/metrics");
            Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());

            Service s = r.one(Service.class, name);
            assertThat(podLabels).containsAllEntriesOf(s.getSpec().getSelector());
            assertThat(s.getSpec().getPorts().get(0).getPort()).isEqualTo(port);
            PodDisruptionBudget pdb = r.one(PodDisruptionBudget.class, name);
            assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
            assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        }
        // the coordinator owns its experiments' state: exactly one, never two during a roll-out
        Deployment eval = r.one(Deployment.class, "eval-service");
        assertThat(eval.getSpec().getReplicas()).isEqualTo(1);
        assertThat(eval.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
    void endpointsInAConfigMapCredentialsInASecretTopicsFromAJob(String overlay) {
        Rendered r = render(overlay);
        assertThat(r.one(ConfigMap.class, "simclr-config").getData())
                .containsKeys("KAFKA_BOOTSTRAP_SERVERS", "S3_ENDPOINT", "S3_BUCKET", "S3_REGION");
        Secret s3 = r.one(Secret.class, "simclr-s3");
        assertThat(s3.getStringData()).containsOnlyKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        Job topics = r.one(Job.class, "simclr-topics");
        Container c = topics.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getCommand()).contains("dev.simclr.contracts.TopicAdmin", "--replication");
        assertThat(c.getEnvFrom()).extracting(e -> e.getConfigMapRef() == null ? null
                : e.getConfigMapRef().getName()).contains("simclr-config");
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
    void kedaScalesEachWorkerOnItsGroupsLagUpToThePartitions(String overlay) {
        Rendered r = render(overlay);
        List<JsonNode> scaled = r.custom("ScaledObject");
        assertThat(scaled).extracting(n -> n.path("spec").path("scaleTargetRef").path("name").asText())
                .containsExactlyInAnyOrderElementsOf(REQUEST_TOPICS.keySet());
        Map<String, String> config = r.one(ConfigMap.class, "simclr-config").getData();
        for (JsonNode so : scaled) {
            assertThat(so.path("apiVersion").asText()).isEqualTo("keda.sh/v1alpha1");
            JsonNode spec = so.path("spec");
            String target = spec.path("scaleTargetRef").path("name").asText();
            r.one(Deployment.class, target);
            assertThat(spec.path("minReplicaCount").asInt(-1)).isZero();
            assertThat(spec.path("maxReplicaCount").asInt()).isEqualTo(Topics.REQUEST_PARTITIONS);
            JsonNode trigger = spec.path("triggers").get(0);
            assertThat(trigger.path("type").asText()).isEqualTo("kafka");
            JsonNode m = trigger.path("metadata");
            assertThat(m.path("topic").asText()).isEqualTo(REQUEST_TOPICS.get(target));
            assertThat(m.path("consumerGroup").asText()).isEqualTo(Repo.consumerGroup(target));
            assertThat(config).containsKey(m.path("bootstrapServersFromEnv").asText());
            assertThat(Integer.parseInt(m.path("lagThreshold").asText())).isPositive();
        }
        assertThat(Topics.all()).filteredOn(t -> REQUEST_TOPICS.containsValue(t.name()))
                .allSatisfy(t -> assertThat(t.partitions()).isEqualTo(Topics.REQUEST_PARTITIONS));
    }

    @Test
    void gpuOverlayPutsTrainersAndDistillersOnTheGpuPoolWithCudaImages() {
        Rendered r = render("overlays/gpu");
        for (String name : List.of("trainer-service", "distill-service")) {
            PodSpec pod = r.one(Deployment.class, name).getSpec().getTemplate().getSpec();
            Container c = pod.getContainers().get(0);
            assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
            assertThat(pod.getTolerations()).anySatisfy(t -> {
                assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
                assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
            assertThat(c.getResources().getLimits().get("nvidia.com/gpu")).isEqualTo(new Quantity("1"));
            assertThat(c.getImage()).endsWith("-cuda");
            String device = name.equals("trainer-service") ? "TRAINER_DEVICE" : "DISTILL_DEVICE";
            assertThat(env(c, device)).contains("gpu");
        }
        for (String name : List.of("eval-service", "augment-service")) {
            PodSpec pod = r.one(Deployment.class, name).getSpec().getTemplate().getSpec();
            assertThat(pod.getNodeSelector()).isNullOrEmpty();
            assertThat(pod.getContainers().get(0).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        }
    }

    @Test
    void cpuOverlayAsksForNoGpuAndMatchesLibtorchThreadsToTheCpuLimit() {
        Rendered r = render("overlays/cpu");
        for (Deployment d : r.all(Deployment.class)) {
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
            assertThat(c.getImage()).doesNotEndWith("-cuda");
        }
        for (String name : List.of("trainer-service", "distill-service")) {
            Container c = r.one(Deployment.class, name).getSpec().getTemplate().getSpec().getContainers().get(0);
            String threads = env(c, "JAVA_OPTS").orElseThrow().replaceAll(".*num_threads=(\\d+).*", "$1");
            assertThat(new Quantity(threads)).isEqualTo(c.getResources().getLimits().get("cpu"));
        }
    }

    @Test
    void aFieldTheModelDoesNotKnowIsRefused() {
        JsonNode typo = Kustomize.read("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          livenessProbes: {httpGet: {path: /q/health/live, port: 8080}}
                """).get(0);
        assertThatThrownBy(() -> StrictModel.parse(typo)).hasMessageContaining("containers[0].livenessProbes");
    }

    @Test
    void prometheusOperatorServiceMonitorSelectsTheServices() {
        JsonNode sm = Kustomize.read(K8S.resolve("monitoring/servicemonitor.yaml")).get(0);
        Rendered r = render("base");
        Map<String, String> selector = new HashMap<>();
        sm.path("spec").path("selector").path("matchLabels").fields()
                .forEachRemaining(e -> selector.put(e.getKey(), e.getValue().asText()));
        for (String name : Repo.SERVICES) {
            assertThat(r.one(Service.class, name).getMetadata().getLabels()).containsAllEntriesOf(selector);
        }
        assertThat(sm.path("spec").path("endpoints").get(0).path("port").asText()).isEqualTo("http");
        assertThat(sm.path("spec").path("endpoints").get(0).path("path").asText()).isEqualTo("/q/metrics");
    }

    private static void assertProbe(Probe p, String path) {
        assertThat(p).as(path).isNotNull();
        assertThat(p.getHttpGet().getPath()).isEqualTo(path);
        assertThat(p.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    private static Optional<String> env(Container c, String name) {
        return Optional.ofNullable(c.getEnv()).orElse(List.of()).stream().filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue).findFirst();
    }
}
