package dev.simclr.eval.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.report.Plots;
import dev.simclr.eval.report.Report;
import dev.simclr.eval.report.Timing;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The transfer study over several domains (Fashion-MNIST and sklearn's digits): spec checks, the plan, the table's
 * rows and figure, and the coordination figures computed from a state's instants. No services, no libtorch.
 */
class TransferPlanTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static ExperimentSpec spec(String transferDatasets) throws Exception {
        return ExperimentSpec.read(JSON.readTree("""
                {"studies": ["transfer-classes-batch"], "seeds": [1, 2], "dataset": {"name": "fashion-mnist", "version": "v1"},
                 "sample": 0.02, "encoder": {"family": "resnet", "depth": 18, "width": 0.25},
                 "pretrain": {"epochs": 1, "batchSize": 16, "policy": "simclr", "temperature": 0.5, "projectionLayers": 2,
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": true, "warmupEpochs": 0, "lrScaling": "none"}},
                 "transfer": {"classCounts": [2, 10], "batchSizes": [32, 64], "epochs": 2 %s}}
                """.formatted(transferDatasets)));
    }

    static Planner.Datasets datasets() {
        Map<String, Map<Integer, DatasetRef>> transfer = new java.util.LinkedHashMap<>();
        transfer.put("fashion-mnist", new TreeMap<>(Map.of(2, new DatasetRef("fashion-mnist-classes-2-sample-200bp", "v1"),
                10, new DatasetRef("fashion-mnist-sample-200bp", "v1"))));
        transfer.put("digits", new TreeMap<>(Map.of(2, new DatasetRef("digits-classes-2", "v1"),
                10, new DatasetRef("digits", "v1"))));
        return new Planner.Datasets(new DatasetRef("fashion-mnist-sample-200bp", "v1"), transfer);
    }

    @Test
    void extraDatasetsAreCheckedWithEveryReason() throws Exception {
        assertThat(spec(", \"datasets\": [{\"name\": \"digits\", \"version\": \"v1\"}]").problems()).isEmpty();
        assertThat(spec("").problems()).isEmpty();
        assertThat(spec(", \"datasets\": [{\"name\": \"digits\", \"version\": \"v1\", \"sample\": 1.5, "
                + "\"classCounts\": [1]}, {\"name\": \"fashion-mnist\", \"version\": \"v1\"}, "
                + "{\"name\": \"digits\", \"version\": \"v1\"}, {\"version\": \"v1\"}]").problems())
                .contains("transfer.datasets[0].sample: 1.5 is outside (0, 1]",
                        "transfer.datasets[0].classCounts: numbers of classes, each from 2 to 100000",
                        "transfer.datasets[1]: fashion-mnist is the main dataset, already in the study",
                        "transfer.datasets: a dataset is named twice",
                        "transfer.datasets[3]: missing (name, version)");
    }

    @Test
    void everyDomainGetsItsLinearEvaluationsAndItsOwnRows() throws Exception {
        ExperimentSpec spec = spec(", \"datasets\": [{\"name\": \"digits\", \"version\": \"v1\"}]");
        List<Planner.Node> plan = Planner.plan("exp-1", spec, datasets());
        // per seed: a pretrain and 2 domains × 2 class counts × 2 batch sizes
        assertThat(plan).hasSize(2 * (1 + 8));
        List<Planner.Node> digits = plan.stream().filter(n -> "digits".equals(n.labels().get("domain"))).toList();
        assertThat(digits).hasSize(8).allSatisfy(n -> assertThat(n.stage()).isEqualTo(Stage.EVAL));
        // the main dataset's runs keep their ids whether or not other domains are added
        List<String> alone = Planner.plan("exp-1", spec(""), new Planner.Datasets(datasets().main(),
                Map.of("fashion-mnist", datasets().transfer().get("fashion-mnist")))).stream()
                .map(Planner.Node::runId).toList();
        assertThat(plan.stream().map(Planner.Node::runId).toList()).containsAll(alone);

        Map<String, RunCompleted> results = new HashMap<>();
        for (Planner.Node n : plan) {
            double top1 = n.stage() == Stage.EVAL ? (n.labels().get("domain").equals("digits") ? 0.9 : 0.7) : 0;
            results.put(n.runId(), new RunCompleted(1, "exp-1", n.runId(), n.stage(),
                    n.stage() == Stage.PRETRAIN ? "runs/" + n.runId() + "/final.npz" : null,
                    Map.of("top1", top1), 1.0, Instant.EPOCH));
        }
        ExperimentState state = new ExperimentState();
        state.experimentId = "exp-1";
        plan.forEach(n -> state.runs.put(n.runId(), new ExperimentState.Run()));
        Report report = Report.of(new ExperimentSubmitted(Event.SCHEMA_VERSION, "exp-1", "t", JSON.createObjectNode(),
                null, Instant.EPOCH), spec, plan, results, Map.of(), state);
        Report.Table t = report.tables().get(ExperimentSpec.TRANSFER);
        assertThat(t.rowHeader()).isEqualTo("dataset / classes");
        assertThat(t.rows().keySet()).containsExactly("fashion-mnist / 2", "fashion-mnist / 10", "digits / 2",
                "digits / 10");
        assertThat(t.rows().get("digits / 2").get("batch 32").mean()).isEqualTo(0.9);
        assertThat(t.rows().get("digits / 2").get("batch 32").n()).isEqualTo(2);
        assertThat(report.markdown()).contains("| digits / 10 | 90.0 ± 0.0 | 90.0 ± 0.0 | – | 2 |")
                .contains("| digits / 2 | 90.0 ± 0.0 | 90.0 ± 0.0 | 100.0 | 2 |"); // the reference: Table 4, 2 classes
        Plots.Figure f = Plots.of(report).get(ExperimentSpec.TRANSFER);
        assertThat(f.svg()).contains("digits, batch 32").contains("fashion-mnist, batch 64");
        java.nio.file.Files.write(java.nio.file.Path.of("target/transfer-two-domains.png"), f.png()); // to look at
    }

    @Test
    void transferSeedsAddRunsOfTheTransferStudyOnly() throws Exception {
        // the spec's seeds 1, 2 for every study; the transfer study also on 3, 4
        ExperimentSpec spec = spec(", \"seeds\": [1, 2, 3, 4]");
        assertThat(spec.problems()).isEmpty();
        assertThat(spec.transferSeeds()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(spec.allSeeds()).containsExactly(1L, 2L, 3L, 4L);
        List<Planner.Node> plan = Planner.plan("exp", spec, datasets());
        // per seed: its own pretraining (no pretrain.seed here) and 2 domains × 2 class counts × 2 batch sizes
        assertThat(plan.stream().filter(n -> n.stage() == Stage.EVAL)).hasSize(4 * 8);
        assertThat(plan.stream().filter(n -> n.stage() == Stage.PRETRAIN)).hasSize(4);
        assertThat(plan.stream().filter(n -> n.stage() == Stage.EVAL).map(n -> n.labels().get("seed")).distinct())
                .containsExactlyInAnyOrder("1", "2", "3", "4");
        assertThat(spec(", \"seeds\": [1, 1]").problems()).anyMatch(p -> p.startsWith("transfer.seeds:"));
        assertThat(spec(", \"seeds\": []").problems()).anyMatch(p -> p.startsWith("transfer.seeds:"));
        // without transfer.seeds the plan and its run ids are what they were, and the field is not written
        assertThat(JSON.valueToTree(spec("")).get("transfer").has("seeds")).isFalse();
        assertThat(Planner.plan("exp", spec(""), datasets()).stream().map(Planner.Node::runId).toList())
                .isSubsetOf(plan.stream().map(Planner.Node::runId).toList());

        // the cpu scale of the three-study recipe: seeds 1–5, transfer 1–10, one shared pretraining (pretrain.seed)
        // per architecture — the transfer-only seeds 6–10 add linear evaluations and nothing else
        ExperimentSpec cpu = ExperimentSpec.read(JSON.readTree(java.nio.file.Path.of("../recipes/demo.json").toFile())
                .get("scales").get("cpu"));
        assertThat(cpu.problems()).isEmpty();
        List<Planner.Node> all = Planner.plan("exp", cpu, datasets());
        // ResNet, the VGG student's, and the ResNet student's independent base (the distillation control)
        assertThat(all.stream().filter(n -> n.stage() == Stage.PRETRAIN)).hasSize(3);
        assertThat(all.stream().filter(n -> n.stage() != Stage.EVAL && n.stage() != Stage.PRETRAIN)
                .map(n -> n.labels().get("seed")).distinct()).containsExactlyInAnyOrder("1", "2", "3", "4", "5");
        assertThat(all.stream().filter(n -> n.stage() == Stage.EVAL).map(n -> n.labels().get("seed")).distinct())
                .hasSize(10);
    }

    @Test
    void withStepsEveryBatchSizeTrainsForTheSameNumberOfSteps() throws Exception {
        ExperimentSpec spec = spec(", \"steps\": 300");
        assertThat(spec.problems()).isEmpty();
        assertThat(spec(", \"steps\": 0").problems()).anyMatch(p -> p.startsWith("transfer.steps:"));
        DatasetRef two = new DatasetRef("fashion-mnist-classes-2-sample-200bp", "v1");
        DatasetRef ten = new DatasetRef("fashion-mnist-sample-200bp", "v1");
        Planner.Datasets d = new Planner.Datasets(ten, Map.of("fashion-mnist", Map.of(2, two, 10, ten)), Map.of(),
                Map.of(two, 240, ten, 1200), Map.of());
        List<Planner.Node> evals = Planner.plan("exp", spec, d).stream().filter(n -> n.stage() == Stage.EVAL).toList();
        assertThat(evals).hasSize(8);
        for (Planner.Node n : evals) {
            dev.simclr.contracts.EvalRequested r = (dev.simclr.contracts.EvalRequested) n.request()
                    .apply(Map.of(n.needs().get(0), new RunCompleted(1, "exp", "p", Stage.PRETRAIN,
                            "ck", Map.of(), 0, Instant.now())));
            int images = r.dataset().equals(two) ? 240 : 1200;
            long steps = (long) r.epochs() * (long) Math.ceil(images / (double) r.batchSize());
            // 300 steps up to half an epoch: 240 images at batch 32 is 8 steps an epoch, 38 epochs = 304
            assertThat(steps).as(n.labels().toString()).isBetween(300L - images / r.batchSize() / 2 - 1,
                    300L + images / r.batchSize() / 2 + 1);
        }
        // with the raw-pixel baseline: one logistic regression on pixels per seed and subset, needing no encoder,
        // a "raw pixels" column beside the batch sizes; the verdicts read only the encoders' rows
        List<Planner.Node> withPixels = Planner.plan("exp", spec(", \"steps\": 300, \"pixelBaseline\": true"), d);
        List<Planner.Node> pixels = withPixels.stream().filter(n -> n.labels().containsKey(Planner.BASELINE)).toList();
        assertThat(pixels).hasSize(4).allSatisfy(n -> {
            assertThat(n.needs()).isEmpty();
            assertThat(((dev.simclr.contracts.EvalRequested) n.request().apply(Map.of())).kind())
                    .isEqualTo(dev.simclr.contracts.EvalKind.PIXELS);
        });
        Map<String, RunCompleted> done = new HashMap<>();
        for (Planner.Node n : withPixels) {
            double top1 = n.stage() != Stage.EVAL ? 0 : n.labels().containsKey(Planner.BASELINE) ? 0.5
                    : n.labels().get("classes").equals("2") ? 0.9 : 0.6;
            done.put(n.runId(), new RunCompleted(1, "exp", n.runId(), n.stage(), "ck", Map.of("top1", top1), 1,
                    Instant.now()));
        }
        ExperimentSubmitted submitted = new ExperimentSubmitted(Event.SCHEMA_VERSION, "exp", "r",
                JSON.createObjectNode(), null, Instant.now());
        Report r = Report.of(submitted, spec(", \"steps\": 300, \"pixelBaseline\": true"), withPixels, done,
                Map.of(), new ExperimentState());
        assertThat(r.markdown()).contains("| batch 64 | raw pixels |").contains("| 50.0 ± 0.0 |");
        assertThat(r.findings()).filteredOn(f -> f.id().equals("3a")).singleElement()
                .satisfies(f -> assertThat(f.seeds()).isEqualTo(2));
        // the premise: the encoder (10 classes, batch 64: 60 %) against raw pixels (50 %) on the same subsets
        assertThat(r.findings()).filteredOn(f -> f.id().equals("3p fashion-mnist")).singleElement()
                .satisfies(f -> {
                    assertThat(f.seeds()).isEqualTo(2);
                    assertThat(f.mean()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
                    assertThat(f.claim()).contains("10 classes");
                });
        assertThat(Report.of(submitted, spec(", \"steps\": 300"), withPixels, done, Map.of(),
                new ExperimentState()).findings()).noneMatch(f -> f.id().startsWith("3p"));
        // without steps: the spec's epochs whatever the batch
        assertThat(Planner.plan("exp", spec(""), d).stream().filter(n -> n.stage() == Stage.EVAL)
                .map(n -> n.runId()).distinct()).hasSize(8);
    }

    @Test
    void coordinationFiguresComeFromTheStatesInstants() throws Exception {
        ExperimentSpec spec = spec("");
        Planner.Datasets one = new Planner.Datasets(datasets().main(),
                Map.of("fashion-mnist", Map.of(2, new DatasetRef("fashion-mnist-classes-2", "v1"))));
        List<Planner.Node> plan = Planner.plan("exp-2", spec, one).stream()
                .filter(n -> n.labels().get("seed").equals("1")).toList();
        // seed 1: pretrain, then two evaluations (batch 32, 64) issued together on the one eval service
        assertThat(plan).hasSize(3);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        ExperimentState st = new ExperimentState();
        st.submittedAt = t0;
        ExperimentState.Run pre = run(st, plan.get(0), t0.plusMillis(300), t0.plusMillis(400), t0.plusMillis(2400),
                t0.plusSeconds(20));
        ExperimentState.Run e1 = run(st, plan.get(1), t0.plusMillis(20_150), t0.plusMillis(20_210), null,
                t0.plusSeconds(25));
        ExperimentState.Run e2 = run(st, plan.get(2), t0.plusMillis(20_150), t0.plusMillis(25_050), null,
                t0.plusSeconds(30));
        Timing t = Timing.of(st, plan);
        assertThat(t.submitToFirstStartSeconds()).isEqualTo(0.4);
        assertThat(t.submitToFirstStepSeconds()).isEqualTo(2.4);
        // the second evaluation waited behind the first: counted among all runs, not among the idle ones
        assertThat(t.issueToStart().n()).isEqualTo(3);
        assertThat(t.issueToStart().maxSeconds()).isCloseTo(4.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.issueToStartIdle().n()).isEqualTo(2);
        assertThat(t.issueToStartIdle().maxSeconds()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.completeToIssue().n()).isEqualTo(2);
        assertThat(t.completeToIssue().medianSeconds()).isCloseTo(0.15, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.runs().get(plan.get(2).runId()).queued()).isTrue();
        assertThat(t.markdown()).contains("submit → first run started: 0.40 s; → first training step: 2.40 s")
                .contains("service idle: median 0.08 s, max 0.10 s over 2 runs")
                .contains("last input completed → run issued: median 0.15 s, max 0.15 s over 2 runs");
        assertThat(pre.attempts + e1.attempts + e2.attempts).isEqualTo(3);
        // cost: 30 s of wall on 2 cores = 60 core-seconds; the runs' own CPU 15 + 3 + 3 = 21 of them
        Map<String, dev.simclr.contracts.RunCompleted> results = new java.util.HashMap<>();
        double[] cpu = {15, 3, 3};
        for (int i = 0; i < 3; i++) {
            results.put(plan.get(i).runId(), new dev.simclr.contracts.RunCompleted(1, "exp-2", plan.get(i).runId(),
                    plan.get(i).stage(), null, Map.of(), cpu[i], t0));
        }
        Timing.Cost cost = Timing.of(st, plan, results, 2).cost();
        assertThat(cost.wallSeconds()).isEqualTo(30.0);
        assertThat(cost.runShare()).isCloseTo(0.35, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Timing.of(st, plan, results, 2).markdown()).contains("## cost").contains("wall: 30 s")
                .contains("runs' own CPU: 21 core-seconds = 35 % of the 60 core-seconds of this host's 2 cores");
    }

    private static ExperimentState.Run run(ExperimentState st, Planner.Node n, Instant issued, Instant started,
                                           Instant firstStep, Instant completed) {
        ExperimentState.Run r = new ExperimentState.Run();
        r.status = ExperimentState.RunStatus.COMPLETED;
        r.attempts = 1;
        r.issuedAt = issued;
        r.startedAt = started;
        r.firstStepAt = firstStep;
        r.completedAt = completed;
        st.runs.put(n.runId(), r);
        return r;
    }
}
