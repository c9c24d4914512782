package dev.simclr.eval.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.eval.report.Findings;
import dev.simclr.eval.report.Report;
import dev.simclr.eval.state.ExperimentState;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The ablation as a sweep over label fractions: a fine-tune per fraction, nested subsets, a column per fraction. */
class LabelFractionSweepTest {
    static ExperimentSpec spec() throws Exception {
        return ExperimentSpec.read(Json.MAPPER.readTree("""
                {"studies": ["augmentation-ablation"], "seeds": [1, 2], "dataset": {"name": "d", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.25},
                 "pretrain": {"epochs": 1, "batchSize": 8, "policy": "crop", "temperature": 0.5, "projectionLayers": 2,
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}},
                 "finetune": {"epochs": 1, "batchSize": 8, "labelFraction": 1.0, "labelFractions": [0.01, 0.1, 1.0],
                              "policies": ["none", "all"],
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}}}
                """));
    }

    @Test
    void aFineTunePerFractionPolicyAndSeedWithAColumnPerFraction() throws Exception {
        ExperimentSpec spec = spec();
        assertThat(spec.problems()).isEmpty();
        List<Planner.Node> plan = Planner.plan("exp", spec, new Planner.Datasets(new DatasetRef("d", "v1"), Map.of()));
        List<Planner.Node> tunes = plan.stream().filter(n -> n.stage() == Stage.FINETUNE).toList();
        assertThat(tunes).hasSize(2 * 3 * 2);
        assertThat(tunes.stream().map(n -> n.labels().get("fraction")).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("1 %", "10 %", "100 %");
        Map<String, RunCompleted> results = new HashMap<>();
        for (Planner.Node n : plan) {
            results.put(n.runId(), new RunCompleted(Event.SCHEMA_VERSION, "exp", n.runId(), n.stage(), "k",
                    Map.of("top1", 0.5), 1, Instant.now()));
        }
        TrainRequested r = (TrainRequested) tunes.stream().filter(n -> "1 %".equals(n.labels().get("fraction")))
                .findFirst().orElseThrow().request().apply(results);
        assertThat(r.labelFraction()).isEqualTo(0.01);
        Report report = Report.of(new ExperimentSubmitted(Event.SCHEMA_VERSION, "exp", "r", Json.MAPPER
                .createObjectNode(), null, Instant.now()), spec, plan, results, Map.of(), new ExperimentState());
        assertThat(report.tables().get(ExperimentSpec.ABLATION).columns())
                .containsExactly("top-1 @ 1 % labels", "top-1 @ 10 % labels", "top-1 @ 100 % labels");
        assertThat(report.findings().stream().map(Findings.Finding::id))
                .contains("1a @ 1 %", "1a @ 10 %", "1a @ 100 %");
    }

    @Test
    void theSmallerFractionLiesInsideTheLargerForASeed() {
        long[] labels = new long[6000];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (i * 7L) % 10;
        }
        for (long seed : new long[] {1, 2, 3}) {
            Set<Integer> one = set(DatasetStore.labelFraction(labels, 10, 0.01, seed));
            Set<Integer> ten = set(DatasetStore.labelFraction(labels, 10, 0.1, seed));
            assertThat(one).hasSize(60);
            assertThat(ten).hasSize(600).containsAll(one);
        }
    }

    private static Set<Integer> set(int[] a) {
        return Arrays.stream(a).boxed().collect(Collectors.toSet());
    }
}
