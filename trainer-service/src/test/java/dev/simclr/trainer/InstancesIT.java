package dev.simclr.trainer;

import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.EncoderFamily;
import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.OptimizerSpec;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.contracts.StackSettings;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.infra.Ports;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.ServiceProcesses;
import dev.simclr.core.testing.TestImages;
import dev.simclr.core.testing.TestInfrastructure;
import dev.simclr.core.testing.TestKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two trainer-service processes in one consumer group on the real broker and S3 server share four runs; one of
 * them is killed with SIGKILL while runs are in flight and started again. Every run completes, and its final
 * checkpoint is byte for byte the one an uninterrupted run makes: same data order, same steps, nothing trained
 * twice into the result. (Named to run before the module's @QuarkusTest classes, whose app shares the groups.)
 */
class InstancesIT {
    static final OptimizerSpec SGD = new OptimizerSpec(OptimizerName.SGD, 0.1, 0.9, 1e-4, true, 1, LrScaling.NONE);
    private final ServiceProcesses processes = new ServiceProcesses();

    @AfterEach
    void stopAll() {
        processes.close();
    }

    @Test
    void twoInstancesShareRunsAndAKilledOneLosesNothing() throws Exception {
        StackSettings infra = TestInfrastructure.get();
        ObjectStore store = new ObjectStore(infra);
        store.ensureBucket();
        DatasetRef dataset = publish(store);
        String group = "trainer-it-" + UUID.randomUUID();
        Path logs = Files.createTempDirectory("trainer-instances");
        Process a = start(group, logs.resolve("a.log"));
        Process b = start(group, logs.resolve("b.log"));

        Map<String, TrainRequested> runs = new LinkedHashMap<>();
        // one run on each partition, so each instance gets runs whichever two partitions it holds (random keys left
        // instance a none one time in 16: it never worked, and the kill below waited in vain); 12 epochs, so a run
        // spans several 2 s slices and checkpoints before it ends
        for (int i = 0; i < Topics.REQUEST_PARTITIONS; i++) {
            String run = runIdOnPartition(i);
            runs.put(run, new TrainRequested(1, "exp-it", run, Stage.PRETRAIN, dataset,
                    new EncoderSpec(EncoderFamily.RESNET, 18, 0.125), 2, "crop+flip", 1.0, 16, 12, SGD, 0.5, 100 + i,
                    false, null, null));
            TestKafka.send(Topics.TRAIN_REQUESTS, run, EventCodec.encode(runs.get(run)));
        }
        RunStore runStore = new RunStore(store);
        // kill -9 instance a once it has checkpointed a run that is not finished yet
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() ->
                Files.readString(logs.resolve("a.log")).contains("ends at step")
                        && runs.keySet().stream().anyMatch(r -> runStore.latest(r).isPresent()
                        && runStore.result(r).isEmpty()));
        a.destroyForcibly().waitFor();
        Process restarted = start(group, logs.resolve("a2.log"));

        Map<String, RunCompleted> completed = new LinkedHashMap<>();
        for (String run : runs.keySet()) {
            var r = TestKafka.await(Topics.RUN_EVENTS, rec -> run.equals(rec.key())
                    && rec.value().contains("run-completed"), Duration.ofMinutes(5));
            completed.put(run, EventCodec.decode(r.value(), RunCompleted.class));
        }
        // the same bytes as uninterrupted runs of the same requests under other ids, trained now that nothing is
        // killed (not in this JVM: libtorch loads in one class loader per process, and the Quarkus test app's is
        // another)
        Map<String, String> references = new LinkedHashMap<>();
        for (var e : runs.entrySet()) {
            TrainRequested r = e.getValue();
            String refRun = "reference-" + UUID.randomUUID();
            references.put(e.getKey(), refRun);
            TestKafka.send(Topics.TRAIN_REQUESTS, refRun, EventCodec.encode(new TrainRequested(1, "exp-it", refRun,
                    r.stage(), r.dataset(), r.encoder(), r.projectionLayers(), r.policy(), r.labelFraction(),
                    r.batchSize(), r.epochs(), r.optimizer(), r.temperature(), r.seed(), r.freezeEncoder(), null,
                    null)));
        }
        for (var e : references.entrySet()) {
            var ref = TestKafka.await(Topics.RUN_EVENTS, rec -> e.getValue().equals(rec.key())
                    && rec.value().contains("run-completed"), Duration.ofMinutes(5));
            assertThat(runStore.latest(e.getKey()).orElseThrow().sha256()).as("final checkpoint of %s", e.getKey())
                    .isEqualTo(runStore.latest(e.getValue()).orElseThrow().sha256());
            assertThat(completed.get(e.getKey()).metrics())
                    .isEqualTo(EventCodec.decode(ref.value(), RunCompleted.class).metrics());
        }
        String logB = Files.readString(logs.resolve("b.log"));
        String logA = Files.readString(logs.resolve("a.log")) + Files.readString(logs.resolve("a2.log"));
        assertThat(logA).as("instance a worked").contains("slice of run");
        assertThat(logB).as("instance b worked").contains("slice of run");
        assertThat(restarted.isAlive()).isTrue();
    }

    /** A run id that Kafka's default partitioner (murmur2 of the key) puts on {@code partition} of the request topic. */
    private static String runIdOnPartition(int partition) {
        while (true) {
            String run = "pretrain-" + UUID.randomUUID();
            byte[] key = run.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (Utils.toPositive(Utils.murmur2(key)) % Topics.REQUEST_PARTITIONS == partition) {
                return run;
            }
        }
    }

    private Process start(String group, Path log) throws Exception {
        return processes.start("trainer-service", Ports.free(), Map.of("KAFKA_GROUP_ID", group,
                "TRAINER_SLICE_SECONDS", "2"), log);
    }

    private static DatasetRef publish(ObjectStore store) {
        String name = "instances-" + UUID.randomUUID().toString().substring(0, 8);
        new DatasetStore(store).publish(name, "v1", List.of("a", "b", "c", "d"),
                Map.of("train", TestImages.stripes(64, 8, 5)), "test", 1000);
        return new DatasetRef(name, "v1");
    }
}
