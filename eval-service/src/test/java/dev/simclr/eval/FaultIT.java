package dev.simclr.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.Topics;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.TestImages;
import dev.simclr.infra.Ports;
import dev.simclr.infra.RepoLayout;
import dev.simclr.launcher.stack.EmbeddedStack;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault drill of the robustness issue, on the embedded stack ({@code ./simclr up}: broker, S3 server, the four
 * services and the supervisor, each its own process). One small experiment runs undisturbed; the same spec under
 * another id then runs through a 30 s stall of the S3 server (SIGSTOP/SIGCONT) during pretraining, kill -9 of
 * trainer-service and augment-service mid-run and kill -9 of the broker (the supervisor starts them again). It
 * completes with the same results, bit for bit the same encoder, every run in one attempt, no run-failed event,
 * and no object the undisturbed run does not have.
 */
class FaultIT {
    static final Duration PATIENCE = Duration.ofMinutes(6);

    @Test
    void anExperimentRunsThroughAStorageStallAWorkerKillAndABrokerKillWithTheSameResults(@TempDir Path data)
            throws Exception {
        int base = Ports.free(4);
        Map<String, String> env = Map.of("SIMCLR_DATA_DIR", data.toString(),
                "SIMCLR_KAFKA_PORT", Integer.toString(Ports.free(2)), "SIMCLR_S3_PORT", Integer.toString(Ports.free()),
                "SIMCLR_HTTP_PORT_BASE", Integer.toString(base),
                // short slices: pretraining yields and resumes several times, so a fault lands between and within
                "TRAINER_SLICE_SECONDS", "2",
                // one trainer: the kill -9 below hits the process that holds the pretraining
                "SIMCLR_TRAINER_INSTANCES", "1");
        EmbeddedStack stack = new EmbeddedStack(RepoLayout.locate(), env);
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        String eval = stack.services().get(0).url();
        long t0 = System.nanoTime();
        List<String> timeline = new ArrayList<>();
        try {
            stack.up(true, out);
            stack.supervise(out);
            timeline.add("stack up " + StackDrill.since(t0));
            ObjectStore store = new ObjectStore(stack.settings());
            String dataset = "fault-it";
            new DatasetStore(store).publish(dataset, "v1", List.of("a", "b", "c", "d"),
                    Map.of("train", TestImages.stripes(384, 16, 1), "test", TestImages.stripes(64, 16, 2)), "test",
                    1000);

            String undisturbed = StackDrill.submit(eval, dataset, "undisturbed", 6, 0.1);
            JsonNode reference = StackDrill.awaitEnd(eval, undisturbed);
            assertThat(reference.path("status").asText()).as(reference.toString()).isEqualTo("COMPLETED");
            timeline.add("undisturbed done " + StackDrill.since(t0));

            String faulted = StackDrill.submit(eval, dataset, "faulted", 6, 0.1);
            // 1. the S3 server stalls for 30 s while pretraining is under way
            long stepAtStall = awaitPretrainStep(eval, faulted, s -> s > 0);
            long s3 = stack.pids().get("s3proxy");
            timeline.add("S3 stopped at step " + stepAtStall + " " + StackDrill.since(t0));
            signal("STOP", s3);
            try {
                Thread.sleep(30_000);
            } finally {
                signal("CONT", s3);
            }
            // 2. kill -9 of both workers of the pretraining (views and steps) once it has gone on after the stall
            awaitPretrainStep(eval, faulted, s -> s > stepAtStall);
            long trainer = stack.pids().get("trainer-service");
            long augment = stack.pids().get("augment-service");
            timeline.add("trainer and augment killed " + StackDrill.since(t0));
            StackDrill.kill(trainer);
            StackDrill.kill(augment);
            awaitRestarted(stack, "trainer-service", trainer);
            awaitRestarted(stack, "augment-service", augment);
            timeline.add("trainer and augment back " + StackDrill.since(t0));
            // 3. kill -9 of the broker while the experiment is still running
            assertThat(EvalHttp.status(eval, faulted).path("status").asText()).as("the drill outlasts the experiment")
                    .isEqualTo("RUNNING");
            long kafka = stack.pids().get("kafka");
            timeline.add("broker killed " + StackDrill.since(t0));
            StackDrill.kill(kafka);
            awaitRestarted(stack, "kafka", kafka);
            timeline.add("broker back " + StackDrill.since(t0));

            JsonNode end = StackDrill.awaitEnd(eval, faulted);
            assertThat(end.path("status").asText()).as(end.toString()).isEqualTo("COMPLETED");
            timeline.add("faulted done " + StackDrill.since(t0));
            System.out.println("fault drill: " + String.join(", ", timeline));

            // same runs (the reports list what each computes), each in one attempt, same metrics; pretraining ends
            // on the same encoder bytes
            JsonNode refRuns = Json.MAPPER.readTree(store.get("reports/" + undisturbed + "/results.json")).path("runs");
            JsonNode gotRuns = Json.MAPPER.readTree(store.get("reports/" + faulted + "/results.json")).path("runs");
            Map<String, String> pairs = StackDrill.pairRuns(refRuns, gotRuns);
            assertThat(pairs).hasSize(reference.path("runs").size()).hasSize(end.path("runs").size());
            end.path("runs").forEach(r -> assertThat(r.path("attempts").asInt()).as(r.toString()).isEqualTo(1));
            Map<String, JsonNode> byId = new HashMap<>();
            refRuns.forEach(r -> byId.put(r.path("runId").asText(), r));
            gotRuns.forEach(r -> byId.put(r.path("runId").asText(), r));
            pairs.forEach((ref, got) -> assertThat(StackDrill.metrics(byId.get(got)))
                    .as("metrics of %s vs %s", got, ref).isNotEmpty().isEqualTo(StackDrill.metrics(byId.get(ref))));
            for (JsonNode r : refRuns) {
                if (r.path("stage").asText().equals("pretrain")) {
                    String ref = r.path("runId").asText();
                    assertThat(store.get(RunStore.encoderKey(pairs.get(ref))))
                            .as("encoder after the faults").isEqualTo(store.get(RunStore.encoderKey(ref)));
                }
            }
            // no run-failed for either experiment
            assertThat(records(stack.settings().kafkaBootstrapServers(), Topics.RUN_EVENTS,
                    r -> r.value().contains("\"run-failed\""))).isEmpty();
            // no leftovers: the faulted runs hold exactly the objects the undisturbed ones do
            // (the two newest checkpoints are kept: their steps are where slices ended, which timing decides)
            pairs.forEach((ref, got) -> assertThat(objectNames(store, got)).as("objects of %s", got)
                    .isEqualTo(objectNames(store, ref)));
            TreeSet<String> runsStored = new TreeSet<>();
            store.list("runs/").forEach(k -> runsStored.add(k.split("/")[1]));
            TreeSet<String> planned = new TreeSet<>(pairs.keySet());
            planned.addAll(pairs.values());
            assertThat(runsStored).as("runs in the store").isEqualTo(planned);
        } finally {
            stack.down();
        }
    }

    /**
     * Issue 27, item 5: the S3 server stalls for 30 s while the trainer waits for a view shard augment-service has not
     * written yet (augment-service is held back with SIGSTOP until the store is back, so the shard is still missing
     * when the trainer's retried stat gets its answer). A missing shard is "not ready yet", never a failure: no
     * run-failed at all, and the experiment completes.
     */
    @Test
    void aStoreStallWhileViewsAreBehindIsWaitedOutWithoutAFailedRun(@TempDir Path data) throws Exception {
        Map<String, String> env = Map.of("SIMCLR_DATA_DIR", data.toString(),
                "SIMCLR_KAFKA_PORT", Integer.toString(Ports.free(2)), "SIMCLR_S3_PORT", Integer.toString(Ports.free()),
                "SIMCLR_HTTP_PORT_BASE", Integer.toString(Ports.free(4)),
                "SIMCLR_TRAINER_INSTANCES", "1",
                // the trainer keeps waiting for the shard (it would yield after 20 s by default, also transient)
                "TRAINER_VIEW_TIMEOUT_SECONDS", "180");
        EmbeddedStack stack = new EmbeddedStack(RepoLayout.locate(), env);
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        String eval = stack.services().get(0).url();
        long t0 = System.nanoTime();
        List<String> timeline = new ArrayList<>();
        try {
            // no supervisor: it would replace the augment-service this test holds stopped
            stack.up(true, out);
            timeline.add("stack up " + StackDrill.since(t0));
            ObjectStore store = new ObjectStore(stack.settings());
            String dataset = "views-stall-it";
            new DatasetStore(store).publish(dataset, "v1", List.of("a", "b", "c", "d"),
                    Map.of("train", TestImages.stripes(256, 16, 1), "test", TestImages.stripes(64, 16, 2)), "test",
                    1000);
            long augment = stack.pids().get("augment-service");
            long s3 = stack.pids().get("s3proxy");
            signal("STOP", augment);
            String id;
            try {
                id = StackDrill.submit(eval, dataset, "views-stall", "augment-service", 3, 0.1);
                // the trainer has taken the pretraining (run-started) and waits for the first view shard
                Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
                    JsonNode st = EvalHttp.status(eval, id);
                    return st != null && java.util.stream.StreamSupport.stream(st.path("runs").spliterator(), false)
                            .anyMatch(r -> r.path("stage").asText().equals("pretrain")
                                    && !r.path("startedAt").isNull() && !r.path("startedAt").isMissingNode());
                });
                Thread.sleep(5_000); // the trainer loads the dataset, builds the model, then polls for the shard
                timeline.add("S3 stopped " + StackDrill.since(t0));
                signal("STOP", s3);
                try {
                    Thread.sleep(30_000);
                } finally {
                    signal("CONT", s3);
                }
                timeline.add("S3 back " + StackDrill.since(t0));
                // the trainer's retried stat meets the store again while the shard is still missing
                Thread.sleep(5_000);
            } finally {
                signal("CONT", augment);
            }
            timeline.add("augment-service back " + StackDrill.since(t0));
            JsonNode end = StackDrill.awaitEnd(eval, id);
            timeline.add("done " + StackDrill.since(t0));
            System.out.println("views stall drill: " + String.join(", ", timeline));
            assertThat(end.path("status").asText()).as(end.toString()).isEqualTo("COMPLETED");
            assertThat(records(stack.settings().kafkaBootstrapServers(), Topics.RUN_EVENTS,
                    r -> r.value().contains("\"run-failed\""))).as("run-failed events").isEmpty();
        } finally {
            stack.down();
        }
    }




    /** The step the pretraining run last reported, once it satisfies {@code until}. */
    private static long awaitPretrainStep(String eval, String id, Predicate<Long> until) {
        long[] step = {-1};
        Awaitility.await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode s = EvalHttp.status(eval, id);
            if (s == null) {
                return false;
            }
            assertThat(s.path("status").asText()).as("the drill outlasts the experiment").isEqualTo("RUNNING");
            for (JsonNode r : s.path("runs")) {
                if (r.path("stage").asText().equals("pretrain") && r.has("step")) {
                    step[0] = r.path("step").asLong();
                    return until.test(step[0]);
                }
            }
            return false;
        });
        return step[0];
    }






    /** The names of a run's objects, with the run's id and the checkpoints' steps taken out. */
    private static List<String> objectNames(ObjectStore store, String runId) {
        List<String> names = new ArrayList<>();
        store.list(RunStore.prefix(runId)).forEach(k -> names.add(k.replace(runId, "<run>")
                .replaceAll("step-\\d+", "step-<n>")));
        names.sort(null);
        return names;
    }

    private static List<ConsumerRecord<String, String>> records(String bootstrap, String topic,
                                                                Predicate<ConsumerRecord<String, String>> match) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (match.test(r)) {
                        found.add(r);
                    }
                });
            }
            assertThat(parts).allSatisfy(tp -> assertThat(consumer.position(tp)).isEqualTo(ends.get(tp)));
        }
        return found;
    }

    private static void awaitRestarted(EmbeddedStack stack, String process, long oldPid) {
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Long pid = stack.pids().get(process);
            return pid != null && pid != oldPid
                    && stack.status().values().stream().allMatch(v -> v.startsWith("healthy"));
        });
    }


    private static void signal(String name, long pid) throws Exception {
        int rc = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor();
        assertThat(rc).as("kill -%s %d", name, pid).isZero();
    }
}
