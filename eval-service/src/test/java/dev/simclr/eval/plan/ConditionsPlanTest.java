package dev.simclr.eval.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.eval.report.Findings;
import dev.simclr.eval.report.Plots;
import dev.simclr.eval.report.Report;
import dev.simclr.eval.state.ExperimentState;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The ablation's conditions: fine-tune budget (fixed, or to the best validation epoch within a cap) and domain (one
 * pretraining per domain) as factors beside the label fraction, a verdict per cell, the effect table and its plot.
 */
class ConditionsPlanTest {
    static final DatasetRef GREY = new DatasetRef("d", "v1");
    static final DatasetRef COLOUR = new DatasetRef("d-colour", "v1");
    static final List<String> POLICIES = List.of("none", "crop", "flip", "color", "crop+color", "flip+crop", "all");

    static ObjectNode json() throws Exception {
        ObjectNode spec = (ObjectNode) Json.MAPPER.readTree("""
                {"studies": ["augmentation-ablation"], "seeds": [1, 2, 3], "dataset": {"name": "d", "version": "v1"},
                 "encoder": {"family": "resnet", "depth": 18, "width": 0.25},
                 "pretrain": {"epochs": 1, "batchSize": 8, "policy": "crop", "temperature": 0.5, "projectionLayers": 2,
                              "seed": 1,
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}},
                 "finetune": {"epochs": 3, "batchSize": 8, "labelFraction": 1.0, "labelFractions": [0.01, 1.0],
                              "policies": ["none", "crop", "flip", "color", "crop+color", "flip+crop", "all"],
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}}}
                """);
        return spec;
    }

    static ObjectNode withConditions() throws Exception {
        ObjectNode spec = json();
        ObjectNode f = (ObjectNode) spec.get("finetune");
        f.set("budgets", Json.MAPPER.readTree("[\"fixed\", \"best-validation\"]"));
        f.put("maxEpochs", 20).put("patienceEpochs", 4);
        f.set("domains", Json.MAPPER.readTree("[{\"name\": \"d\", \"version\": \"v1\", \"label\": \"grey\"},"
                + " {\"name\": \"d-colour\", \"version\": \"v1\", \"label\": \"colour\"}]"));
        return spec;
    }

    static List<Planner.Node> plan(ObjectNode json) {
        ExperimentSpec spec = ExperimentSpec.read(json);
        assertThat(spec.problems()).isEmpty();
        return Planner.plan("exp", spec, new Planner.Datasets(GREY, Map.of()));
    }

    @Test
    void aFixedBudgetOnTheMainDatasetKeepsTheRunIdsOfASpecWithoutConditions() throws Exception {
        List<Planner.Node> before = plan(json());
        ObjectNode json = json();
        ObjectNode f = (ObjectNode) json.get("finetune");
        f.set("budgets", Json.MAPPER.readTree("[\"fixed\"]"));
        f.set("domains", Json.MAPPER.readTree("[{\"name\": \"d\", \"version\": \"v1\"}]"));
        List<Planner.Node> after = plan(json);
        assertThat(after.stream().map(Planner.Node::runId)).containsExactlyElementsOf(before.stream()
                .map(Planner.Node::runId).toList());
        // pinned: the ids this spec's runs had before budgets and domains existed
        assertThat(before.get(0).runId()).isEqualTo(PINNED_PRETRAIN);
        assertThat(before.get(1).runId()).isEqualTo(PINNED_FIRST_FINETUNE);
        // and the findings keep their ids
        assertThat(Findings.of(ExperimentSpec.read(json()), before, Map.of()).stream().map(Findings.Finding::id))
                .startsWith("1a @ 1 %", "1b @ 1 %", "1c @ 1 %", "1a @ 100 %");
    }

    /** Computed by the planner of commit 19d6ddd (before budgets and domains) for {@link #json()}. */
    static final String PINNED_PRETRAIN = "pretrain-a0851dd00ed70356";
    static final String PINNED_FIRST_FINETUNE = "finetune-faf8b6b3c996560e";

    @Test
    void aPretrainingPerDomainAndAFineTunePerDomainBudgetFractionPolicyAndSeed() throws Exception {
        List<Planner.Node> plan = plan(withConditions());
        List<Planner.Node> pretrains = plan.stream().filter(n -> n.stage() == Stage.PRETRAIN).toList();
        // one shared pretraining seed: one encoder per domain, and no main encoder nothing else would read
        assertThat(pretrains).hasSize(2);
        assertThat(pretrains.stream().map(n -> n.labels().get(Planner.DOMAIN))).containsExactly("grey", "colour");
        assertThat(pretrains.get(0).runId()).isEqualTo(plan(json()).get(0).runId());
        Map<String, RunCompleted> results = done(plan, n -> 0.5);
        assertThat(((TrainRequested) pretrains.get(1).request().apply(results)).dataset()).isEqualTo(COLOUR);
        List<Planner.Node> tunes = plan.stream().filter(n -> n.stage() == Stage.FINETUNE).toList();
        assertThat(tunes).hasSize(2 * 2 * 2 * POLICIES.size() * 3);
        for (Planner.Node n : tunes) {
            String domain = n.labels().get(Planner.DOMAIN);
            Planner.Node from = pretrains.stream().filter(p -> domain.equals(p.labels().get(Planner.DOMAIN)))
                    .findFirst().orElseThrow();
            assertThat(n.needs()).containsExactly(from.runId());
            TrainRequested r = (TrainRequested) n.request().apply(results);
            assertThat(r.dataset()).isEqualTo(domain.equals("grey") ? GREY : COLOUR);
            if (n.labels().get(Planner.BUDGET).equals("best-validation")) {
                assertThat(r.epochs()).isEqualTo(20);
                assertThat(r.patienceEpochs()).isEqualTo(4);
            } else {
                assertThat(r.epochs()).isEqualTo(3);
                assertThat(r.patienceEpochs()).isNull();
            }
        }
        assertThat(tunes.stream().map(Planner.Node::runId).distinct()).hasSize(tunes.size());
        // the grey fixed cells are the runs of the spec without conditions
        Set<String> old = plan(json()).stream().map(Planner.Node::runId).collect(Collectors.toSet());
        assertThat(tunes.stream().filter(n -> old.contains(n.runId())).allMatch(n -> "grey".equals(n.labels()
                .get(Planner.DOMAIN)) && "fixed".equals(n.labels().get(Planner.BUDGET)))).isTrue();
        assertThat(tunes.stream().filter(n -> old.contains(n.runId()))).hasSize(2 * POLICIES.size() * 3);
    }

    @Test
    void aVerdictPerCellAnInvalidCellWhenARunIsDegenerateAndTheEffectTableAndPlot() throws Exception {
        ExperimentSpec spec = ExperimentSpec.read(withConditions());
        List<Planner.Node> plan = Planner.plan("exp", spec, new Planner.Datasets(GREY, Map.of()));
        // synthetic top-1: augmentation helps with a best-validation budget (+4 points at 1 %, +1 at 100 %), hurts
        // with the fixed one (−3 points), a little seed noise; one colour fixed 100 % run is degenerate
        Map<String, Double> noise = Map.of("1", 0.001, "2", -0.002, "3", 0.0015);
        Map<String, RunCompleted> results = done(plan, n -> {
            if (n.stage() != Stage.FINETUNE) {
                return 0.5;
            }
            boolean best = "best-validation".equals(n.labels().get(Planner.BUDGET));
            double gain = best ? ("1 %".equals(n.labels().get(Planner.FRACTION)) ? 0.04 : 0.01) : -0.03;
            String p = n.labels().get("policy");
            double augmented = p.equals("none") ? 0 : p.equals("all") ? 1 : p.contains("+") ? 0.8 : 0.5;
            return 0.7 + gain * augmented + (p.equals("none") ? 0 : noise.get(n.labels().get("seed")));
        });
        Planner.Node bad = plan.stream().filter(n -> n.stage() == Stage.FINETUNE
                && "colour".equals(n.labels().get(Planner.DOMAIN)) && "fixed".equals(n.labels().get(Planner.BUDGET))
                && "100 %".equals(n.labels().get(Planner.FRACTION)) && "all".equals(n.labels().get("policy")))
                .findFirst().orElseThrow();
        RunCompleted r = results.get(bad.runId());
        results.put(bad.runId(), new RunCompleted(r.schemaVersion(), r.experimentId(), r.runId(), r.stage(),
                r.checkpointKey(), r.metrics(), r.cpuSeconds(), r.at(), r.codeVersion(), r.precision(),
                List.of("top-1 within 2 points of chance on validation")));

        Map<String, Findings.Finding> byId = Findings.of(spec, plan, results).stream()
                .collect(Collectors.toMap(Findings.Finding::id, f -> f));
        assertThat(byId).hasSize(3 * 2 * 2 * 2);
        assertThat(byId.get("1a grey/best-validation @ 1 %").verdict()).isEqualTo(Findings.CONFIRMED);
        assertThat(byId.get("1a grey/best-validation @ 1 %").mean()).isCloseTo(0.04 + 0.0005 / 3, within());
        assertThat(byId.get("1a colour/best-validation @ 100 %").verdict()).isEqualTo(Findings.CONFIRMED);
        assertThat(byId.get("1a grey/fixed @ 1 %").verdict()).isEqualTo(Findings.REFUTED);
        assertThat(byId.get("1a grey/fixed @ 1 %").heldEqual()).contains("pretrained on grey")
                .contains("fine-tuning epochs (3) and steps");
        assertThat(byId.get("1a grey/best-validation @ 1 %").heldEqual()).contains("cap (20 epochs, patience 4");
        assertThat(byId.get("1a colour/fixed @ 100 %").verdict()).isEqualTo(Findings.INVALID);
        assertThat(byId.get("1a colour/fixed @ 100 %").invalid()).contains(bad.runId());
        assertThat(byId.get("1a colour/fixed @ 1 %").verdict()).isEqualTo(Findings.REFUTED);

        Report report = Report.of(new ExperimentSubmitted(Event.SCHEMA_VERSION, "exp", "r", Json.MAPPER
                .createObjectNode(), null, Instant.now()), spec, plan, results, Map.of(), new ExperimentState());
        Report.Table effect = report.tables().get(Report.ABLATION_EFFECT);
        assertThat(effect.columns()).containsExactly("grey/fixed", "grey/best-validation", "colour/fixed",
                "colour/best-validation");
        assertThat(effect.rows()).containsOnlyKeys("1 %", "100 %");
        Report.Cell cell = effect.rows().get("1 %").get("grey/best-validation");
        assertThat(cell.n()).isEqualTo(3);
        assertThat(cell.mean()).isCloseTo(byId.get("1a grey/best-validation @ 1 %").mean(), within());
        assertThat(cell.ci95()).isCloseTo(byId.get("1a grey/best-validation @ 1 %").ci95(), within());
        assertThat(effect.degenerate()).containsEntry("100 %", 1);
        assertThat(effect.reference()).contains("; here, per cell, 1a holds (confirmed) in grey/best-validation @ 1 %, "
                + "grey/best-validation @ 100 %, colour/best-validation @ 1 %, colour/best-validation @ 100 % and does "
                + "not (refuted) in grey/fixed @ 1 %, grey/fixed @ 100 %, colour/fixed @ 1 % (0 inconclusive, 1 "
                + "invalid); 1b holds");
        assertThat(report.tables().get(ExperimentSpec.ABLATION).columns()).contains("grey/fixed top-1 @ 1 % labels",
                "colour/best-validation top-1 @ 100 % labels");
        assertThat(report.protocol()).contains("Fine-tune budgets: fixed — every run trains 3 epochs")
                .contains("best-validation — every run trains to its best epoch").contains("at most 20 epochs")
                .contains("(5.0 epochs trained on average").contains("Domains: grey = d/v1, colour = d-colour/v1");
        assertThat(report.markdown()).contains("## " + Report.ABLATION_EFFECT).contains("| label fraction |");
        Plots.Figure figure = Plots.of(report).get(Report.ABLATION_EFFECT);
        assertThat(figure.png()).isNotEmpty();
        assertThat(figure.svg()).contains("colour/best-validation").contains(">label fraction<");
    }

    @Test
    void withIndependentPretrainingsEachCellIsJudgedPerEncoderAndAcross() throws Exception {
        ObjectNode json = withConditions();
        ObjectNode pretrain = (ObjectNode) json.get("pretrain");
        pretrain.remove("seed");
        pretrain.set("seeds", Json.MAPPER.readTree("[1, 2]"));
        ExperimentSpec spec = ExperimentSpec.read(json);
        assertThat(spec.problems()).isEmpty();
        List<Planner.Node> plan = Planner.plan("exp", spec, new Planner.Datasets(GREY, Map.of()));
        assertThat(plan.stream().filter(n -> n.stage() == Stage.PRETRAIN)).hasSize(2 * 2)
                .allMatch(n -> n.labels().containsKey(Planner.DOMAIN) && n.labels().containsKey(Planner.ENCODER_SEED));
        // encoder 2's colour encoder helps nowhere: its cells' all − none is 0, encoder 1's +2 points everywhere
        Map<String, RunCompleted> results = done(plan, n -> n.stage() != Stage.FINETUNE ? 0.5
                : 0.7 + ("all".equals(n.labels().get("policy")) && !("2".equals(n.labels().get(Planner.ENCODER_SEED))
                && "colour".equals(n.labels().get(Planner.DOMAIN))) ? 0.02 + 0.001 * Integer.parseInt(n.labels()
                .get("seed")) : 0));
        Map<String, Findings.Finding> byId = Findings.of(spec, plan, results).stream()
                .collect(Collectors.toMap(Findings.Finding::id, f -> f));
        Findings.Finding grey = byId.get("1a grey/fixed @ 1 %");
        assertThat(grey.perEncoder()).hasSize(2);
        assertThat(grey.holdsFor()).isEqualTo(2);
        assertThat(grey.text()).contains("holds for 2 of 2 encoders");
        Findings.Finding colour = byId.get("1a colour/best-validation @ 100 %");
        assertThat(colour.holdsFor()).isEqualTo(1);
        assertThat(colour.perEncoder()).extracting(Findings.Finding::id).containsExactly(
                "1a colour/best-validation @ 100 % [encoder 1]", "1a colour/best-validation @ 100 % [encoder 2]");
        Report report = Report.of(new ExperimentSubmitted(Event.SCHEMA_VERSION, "exp", "r", Json.MAPPER
                .createObjectNode(), null, Instant.now()), spec, plan, results, Map.of(), new ExperimentState());
        // the table pools every encoder × seed pair
        assertThat(report.tables().get(Report.ABLATION_EFFECT).rows().get("1 %").get("colour/fixed").n())
                .isEqualTo(2 * 3);
    }

    @Test
    void everyMistakeInTheConditionsIsNamedAtOnce() throws Exception {
        ObjectNode json = withConditions();
        ObjectNode f = (ObjectNode) json.get("finetune");
        ((ArrayNode) f.get("budgets")).add("longest");
        f.put("maxEpochs", 0).put("patienceEpochs", 0);
        ((ArrayNode) f.get("domains")).add(Json.MAPPER.readTree("{\"name\": \"D!\", \"version\": \"v1\"}"));
        ((ArrayNode) f.get("domains")).add(Json.MAPPER.readTree("{\"name\": \"e\", \"version\": \"v1\", "
                + "\"label\": \"grey\"}"));
        ((ObjectNode) json.get("pretrain")).set("dataset", Json.MAPPER.readTree("{\"name\": \"u\", \"version\": "
                + "\"v1\"}"));
        assertThat(ExperimentSpec.read(json).problems()).contains(
                "finetune.budgets: unknown budget 'longest' (one of [fixed, best-validation])",
                "finetune.domains: two domains have one label",
                "pretrain.dataset: with finetune.domains each domain is pretrained on its own images; "
                        + "pretrain.dataset may only name the main dataset (then every domain pretrains on its whole "
                        + "dataset, unsampled), or leave it out")
                .anyMatch(p -> p.startsWith("finetune.maxEpochs: "))
                .anyMatch(p -> p.startsWith("finetune.patienceEpochs: "))
                .anyMatch(p -> p.startsWith("finetune.domains[2].name: 'D!'"));

        ObjectNode capless = json();
        ((ObjectNode) capless.get("finetune")).set("budgets", Json.MAPPER.readTree("[\"best-validation\"]"));
        assertThat(ExperimentSpec.read(capless).problems()).containsExactly(
                "finetune.maxEpochs: the best-validation budget needs its cap, e.g. 30",
                "finetune.patienceEpochs: the best-validation budget needs its patience, e.g. 5");
        ObjectNode stray = json();
        ((ObjectNode) stray.get("finetune")).put("maxEpochs", 10);
        assertThat(ExperimentSpec.read(stray).problems()).singleElement().asString()
                .startsWith("finetune.maxEpochs: only the best-validation budget");
    }

    /**
     * The recipe's {@code conditions} scale shares the {@code cpu} scale's grey pretraining (the same run, reused),
     * pretrains the colour one beside it, and stays within the planner's and the estimate's limits.
     */
    @Test
    void theConditionsScaleSharesTheCpuScalesGreyPretraining() throws Exception {
        var recipe = Json.MAPPER.readTree(java.nio.file.Path.of("../recipes/augmentation-ablation.json").toFile());
        ExperimentSpec cpu = ExperimentSpec.read(recipe.at("/scales/cpu"));
        ExperimentSpec conditions = ExperimentSpec.read(recipe.at("/scales/conditions"));
        assertThat(conditions.problems()).isEmpty();
        Planner.Datasets data = new Planner.Datasets(new DatasetRef("fashion-mnist-sample-5000bp-test-10000bp", "v1"),
                Map.of());
        List<Planner.Node> a = Planner.plan("a", cpu, data);
        List<Planner.Node> b = Planner.plan("b", conditions, data);
        List<Planner.Node> pretrains = b.stream().filter(n -> n.stage() == Stage.PRETRAIN).toList();
        assertThat(pretrains).hasSize(2);
        assertThat(pretrains.get(0).runId()).isEqualTo(a.get(0).runId());
        assertThat(pretrains.get(0).labels()).containsEntry(Planner.DOMAIN, "grey");
        assertThat(pretrains.get(1).labels()).containsEntry(Planner.DOMAIN, "colour");
        assertThat(b).hasSize(2 + 2 * 2 * 2 * POLICIES.size() * 3).hasSizeLessThanOrEqualTo(ExperimentSpec.MAX_RUNS);
        long steps = dev.simclr.eval.submission.WorkEstimate.steps(conditions, 60_000, 60_000);
        long cpuSteps = dev.simclr.eval.submission.WorkEstimate.steps(cpu, 60_000, 60_000);
        // pretraining 4 epochs × 235 batches, once (shared) in cpu, per domain here; cpu: 35 fine-tunes × 3 × 59;
        // here per domain and seed × 7 policies: 3 × 3 and 3 × 24 (fixed), 12 × 3 and 12 × 22 (best-validation cap)
        assertThat(cpuSteps).isEqualTo(940 + 35 * 3 * 59);
        assertThat(steps).isEqualTo(2 * 940 + 2 * 3 * 7 * (9 + 72 + 36 + 264));
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }

    /** Every run finished, a fine-tune's top-1 given by {@code top1} (best-validation ones trained 5 epochs). */
    static Map<String, RunCompleted> done(List<Planner.Node> plan, ToDoubleFunction<Planner.Node> top1) {
        Map<String, RunCompleted> results = new HashMap<>();
        for (Planner.Node n : plan) {
            Map<String, Double> metrics = "best-validation".equals(n.labels().get(Planner.BUDGET))
                    ? Map.of("top1", top1.applyAsDouble(n), "epochsTrained", 5.0)
                    : Map.of("top1", top1.applyAsDouble(n));
            results.put(n.runId(), new RunCompleted(Event.SCHEMA_VERSION, "exp", n.runId(), n.stage(),
                    "checkpoints/" + n.runId() + "/", metrics, 1, Instant.now()));
        }
        return results;
    }
}
