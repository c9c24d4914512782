package dev.simclr.eval.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentFailed;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunFailed;
import dev.simclr.contracts.RunStarted;
import dev.simclr.contracts.StackSettings;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.run.RunStore;
import dev.simclr.core.store.ObjectStore;
import dev.simclr.core.testing.TestImages;
import dev.simclr.core.testing.TestInfrastructure;
import dev.simclr.eval.scheduler.Scheduler;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.state.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's rules with the real object store and a recording outbox instead of the broker: retries up to
 * the limit, a duplicate submission, a re-delivered run event, events of an earlier attempt, a run that shows no
 * sign of life, and a store that is away.
 */
class CoordinatorPartsIT {
    static final ObjectStore STORE = new ObjectStore(TestInfrastructure.get());

    record Sent(String topic, String key, String json) {}

    static final class Outbox implements Scheduler.Outbox {
        final List<Sent> requests = new CopyOnWriteArrayList<>();
        final List<Event> experiments = new CopyOnWriteArrayList<>();

        @Override
        public void request(String topic, String key, String json) {
            requests.add(new Sent(topic, key, json));
        }

        @Override
        public void experiment(String experimentId, Event event) {
            experiments.add(event);
        }
    }

    static String dataset() {
        return dataset(STORE);
    }

    static String dataset(ObjectStore store) {
        String name = "parts-" + UUID.randomUUID().toString().substring(0, 8);
        new DatasetStore(store).publish(name, "v1", List.of("a", "b", "c", "d"),
                Map.of("train", TestImages.stripes(32, 16, 1), "test", TestImages.stripes(16, 16, 2)), "test", 1000);
        return name;
    }

    /** One pretraining and one linear evaluation: the smallest plan there is. */
    static ExperimentSubmitted submission(String id, String dataset, int epochs) throws Exception {
        JsonNode spec = Json.MAPPER.readTree("""
                {"studies": ["transfer-classes-batch"], "seeds": [1], "dataset": {"name": "%s", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.125},
                 "pretrain": {"epochs": %d, "batchSize": 8, "policy": "crop", "temperature": 0.5, "projectionLayers": 2,
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}},
                 "transfer": {"classCounts": [4], "batchSizes": [8], "epochs": 1}}
                """.formatted(dataset, epochs));
        return new ExperimentSubmitted(Event.SCHEMA_VERSION, id, "parts", spec, null, Instant.now());
    }

    static Coordinator coordinator(Outbox outbox, Duration silence) {
        return new Coordinator(STORE, outbox, new Scheduler.Settings(3, Duration.ofSeconds(2), silence), 1_000_000);
    }

    static ExperimentState state(String id) {
        return new StateStore(STORE).load(id).orElseThrow();
    }

    /** A coordinator with one experiment submitted and its pretraining issued. */
    record Started(Outbox outbox, Coordinator c, String id, String run) {}

    static Started start(String name, Duration silence) throws Exception {
        Outbox outbox = new Outbox();
        Coordinator c = coordinator(outbox, silence);
        String id = name + "-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(c.submit(submission(id, dataset(), 1), Instant.now()).taken()).isEqualTo(Coordinator.Taken.ACCEPTED);
        return new Started(outbox, c, id, pretrainRun(outbox));
    }

    static String pretrainRun(Outbox outbox) {
        return outbox.requests.stream().filter(s -> s.topic().equals(Topics.TRAIN_REQUESTS)).map(Sent::key)
                .findFirst().orElseThrow();
    }

    @Test
    void aDuplicateIsNotPlannedTwiceAndAnotherSpecUnderTheSameIdIsRefused() throws Exception {
        Outbox outbox = new Outbox();
        Coordinator c = coordinator(outbox, Duration.ofMinutes(5));
        String data = dataset();
        String id = "dup-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(c.submit(submission(id, data, 1), Instant.now()).taken()).isEqualTo(Coordinator.Taken.ACCEPTED);
        assertThat(c.submit(submission(id, data, 1), Instant.now()).taken()).isEqualTo(Coordinator.Taken.DUPLICATE);
        // a second coordinator (after a restart) knows it from the store
        Coordinator again = coordinator(new Outbox(), Duration.ofMinutes(5));
        assertThat(again.submit(submission(id, data, 1), Instant.now()).taken())
                .isEqualTo(Coordinator.Taken.DUPLICATE);
        Coordinator.Submitted other = c.submit(submission(id, data, 2), Instant.now());
        assertThat(other.taken()).isEqualTo(Coordinator.Taken.REFUSED);
        assertThat(other.problems()).anySatisfy(p -> assertThat(p).contains("submitted before with another spec"));
        assertThat(outbox.requests).hasSize(1);
    }

    @Test
    void aFailedRunIsRetriedUpToTheLimitThenTheExperimentFailsWithTheReason() throws Exception {
        Started st = start("retry", Duration.ofMinutes(5));
        Outbox outbox = st.outbox();
        Coordinator c = st.c();
        String id = st.id();
        String run = st.run();
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(outbox.requests.stream().filter(s -> s.key().equals(run))).hasSize(attempt);
            c.runFailed(new RunFailed(Event.SCHEMA_VERSION, id, run, Stage.PRETRAIN, "boom " + attempt, Instant.now()));
            c.tick();
        }
        assertThat(outbox.requests.stream().filter(s -> s.key().equals(run))).hasSize(3);
        assertThat(outbox.experiments).singleElement().isInstanceOf(ExperimentFailed.class);
        ExperimentFailed failed = (ExperimentFailed) outbox.experiments.get(0);
        assertThat(failed.reasons()).singleElement().satisfies(r -> assertThat(r).contains(run, "3 times", "boom 3"));
        assertThat(state(id).status).isEqualTo(ExperimentState.Status.FAILED);
    }

    @Test
    void eventsOfAnEarlierAttemptAreIgnored() throws Exception {
        Started st = start("stale", Duration.ofMinutes(5));
        Outbox outbox = st.outbox();
        Coordinator c = st.c();
        String id = st.id();
        String run = st.run();
        Instant before = Instant.now().minusSeconds(60);
        c.runStarted(new RunStarted(Event.SCHEMA_VERSION, id, run, Stage.PRETRAIN, before));
        c.runFailed(new RunFailed(Event.SCHEMA_VERSION, id, run, Stage.PRETRAIN, "an old attempt", before));
        c.tick();
        ExperimentState.Run r = state(id).runs.get(run);
        assertThat(r.status).isEqualTo(ExperimentState.RunStatus.ISSUED);
        assertThat(r.attempts).isEqualTo(1);
        assertThat(r.startedAt).isNull();
        Instant now = Instant.now();
        c.runStarted(new RunStarted(Event.SCHEMA_VERSION, id, run, Stage.PRETRAIN, now));
        c.tick();
        assertThat(state(id).runs.get(run).startedAt).isEqualTo(now);
    }

    @Test
    void aRedeliveredCompletionCountsOnceAndTheDependentRunIsIssuedOnce() throws Exception {
        Started st = start("redeliver", Duration.ofMinutes(5));
        Outbox outbox = st.outbox();
        Coordinator c = st.c();
        String id = st.id();
        String run = st.run();
        RunCompleted done = new RunCompleted(Event.SCHEMA_VERSION, id, run, Stage.PRETRAIN,
                RunStore.checkpointKey(run, 4), Map.of("loss", 1.0), 1.0, Instant.now());
        new RunStore(STORE).saveResult(run, EventCodec.encode(done));
        for (int i = 0; i < 3; i++) {
            c.runCompleted(done);
            c.tick();
        }
        assertThat(outbox.requests.stream().filter(s -> s.topic().equals(Topics.EVAL_REQUESTS))).hasSize(1);
        assertThat(state(id).runs.get(run).status).isEqualTo(ExperimentState.RunStatus.COMPLETED);
    }

    @Test
    void runsOfAStageBeyondItsCapWaitUntilOneEnds() throws Exception {
        // a bucket of its own: the cap counts the runs in flight of every experiment a coordinator takes up
        StackSettings stack = TestInfrastructure.get();
        String id = "cap-" + UUID.randomUUID().toString().substring(0, 8);
        ObjectStore store = new ObjectStore(new StackSettings(stack.kafkaBootstrapServers(), stack.s3Endpoint(), id,
                stack.s3Region(), stack.accessKey(), stack.secretKey()));
        store.ensureBucket();
        Outbox outbox = new Outbox();
        Coordinator c = new Coordinator(store, outbox, new Scheduler.Settings(3, Duration.ofSeconds(2),
                Duration.ofMinutes(5), 1), 1_000_000);
        ExperimentSubmitted three = submission(id, dataset(store), 1);
        ((com.fasterxml.jackson.databind.node.ObjectNode) three.spec().get("transfer")).set("batchSizes",
                Json.MAPPER.valueToTree(List.of(4, 8, 16)));
        assertThat(c.submit(three, Instant.now()).taken()).isEqualTo(Coordinator.Taken.ACCEPTED);
        String pretrain = pretrainRun(outbox);
        RunCompleted done = new RunCompleted(Event.SCHEMA_VERSION, id, pretrain, Stage.PRETRAIN,
                RunStore.checkpointKey(pretrain, 4), Map.of("loss", 1.0), 1.0, Instant.now());
        new RunStore(store).saveResult(pretrain, EventCodec.encode(done));
        c.runCompleted(done);
        java.util.Set<String> ended = new java.util.HashSet<>();
        for (int round = 1; round <= 3; round++) {
            c.tick();
            c.tick();
            List<String> evals = outbox.requests.stream().filter(s -> s.topic().equals(Topics.EVAL_REQUESTS))
                    .map(Sent::key).distinct().toList();
            // three linear evaluations are ready, but one at a time is issued: the next when the last has ended
            assertThat(evals).hasSize(round);
            String last = evals.get(round - 1);
            assertThat(ended).doesNotContain(last);
            RunCompleted eval = new RunCompleted(Event.SCHEMA_VERSION, id, last, Stage.EVAL, null,
                    Map.of("top1", 0.5), 1.0, Instant.now());
            new RunStore(store).saveResult(last, EventCodec.encode(eval));
            c.runCompleted(eval);
            ended.add(last);
        }
        c.tick();
        assertThat(outbox.experiments).singleElement().isInstanceOf(dev.simclr.contracts.ExperimentCompleted.class);
    }

    @Test
    void aRunWithoutSignOfLifeIsSentAgainWithoutCountingAnAttempt() throws Exception {
        Started st = start("silent", Duration.ofMillis(300));
        Outbox outbox = st.outbox();
        Coordinator c = st.c();
        String id = st.id();
        String run = st.run();
        Thread.sleep(400);
        c.tick();
        assertThat(outbox.requests.stream().filter(s -> s.key().equals(run))).hasSize(2);
        ExperimentState.Run r = state(id).runs.get(run);
        assertThat(r.attempts).isEqualTo(1);
        assertThat(r.reissues).isEqualTo(1);
        // heard of: not silent
        c.runStarted(new RunStarted(Event.SCHEMA_VERSION, id, run, Stage.PRETRAIN, Instant.now()));
        c.tick();
        assertThat(outbox.requests.stream().filter(s -> s.key().equals(run))).hasSize(2);
    }

    @Test
    void aStoreThatIsAwayMeansTryAgainNeverAFailedExperiment() throws Exception {
        StackSettings s = TestInfrastructure.get();
        // nothing listens on port 1: every call fails to connect, within a short budget here
        ObjectStore away = new ObjectStore(new StackSettings(s.kafkaBootstrapServers(), "http://127.0.0.1:1",
                s.s3Bucket(), s.s3Region(), s.accessKey(), s.secretKey())).withRetryBudget(Duration.ofMillis(300));
        Outbox outbox = new Outbox();
        Coordinator c = new Coordinator(away, outbox, Scheduler.Settings.defaults(), 1_000_000);
        Coordinator.Submitted taken = c.submit(submission("away-1", "any", 1), Instant.now());
        assertThat(taken.taken()).isEqualTo(Coordinator.Taken.RETRY);
        c.tick(); // recover() meets the outage: logged, tried again on the next pass
        assertThat(outbox.experiments).isEmpty();
    }
}
