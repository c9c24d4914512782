package dev.simclr.eval.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.eval.plan.Planner;
import dev.simclr.eval.state.ExperimentState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Verdicts from paired differences over synthetic results, and the same numbers in every format of the report. */
class FindingsTest {
    @Test
    void aPairedDifferenceIsConfirmedRefutedOrInconclusiveByItsInterval() {
        // differences of +2, +3, +4 points: mean 3, t(2) 4.303 × 1/√3 → 2.48 points: (0.5, 5.5) → confirmed
        Findings.Finding up = Findings.verdict("x", "s", "a − b > 0", "", List.of(0.02, 0.03, 0.04));
        assertThat(up.verdict()).isEqualTo(Findings.CONFIRMED);
        assertThat(up.mean()).isCloseTo(0.03, within(1e-12));
        assertThat(up.ci95()).isCloseTo(4.302652729911275 * 0.01 / Math.sqrt(3), within(1e-9));
        assertThat(Findings.verdict("x", "s", "", "", List.of(-0.02, -0.03, -0.04)).verdict())
                .isEqualTo(Findings.REFUTED);
        assertThat(Findings.verdict("x", "s", "", "", List.of(-0.02, 0.03, 0.01)).verdict())
                .isEqualTo(Findings.INCONCLUSIVE);
        assertThat(Findings.verdict("x", "s", "", "", List.of(0.5)).verdict()).isEqualTo(Findings.INCONCLUSIVE);
        assertThat(Findings.verdict("x", "s", "", "", List.of()).text()).contains("no seed ran both sides");
    }

    @Test
    void chanceIsRemovedByTheNumberOfClasses() {
        assertThat(Findings.chanceCorrected(0.5, 2)).isZero();
        assertThat(Findings.chanceCorrected(0.1, 10)).isCloseTo(0, within(1e-12));
        assertThat(Findings.chanceCorrected(1.0, 5)).isEqualTo(1.0);
        assertThat(Findings.chanceCorrected(0.75, 2)).isCloseTo(0.5, within(1e-12));
    }

    /** A synthetic ablation + transfer experiment: each seed its own encoder, the effects built in. */
    static final class Synthetic {
        final List<Planner.Node> plan = new ArrayList<>();
        final Map<String, RunCompleted> results = new HashMap<>();

        void run(String study, Map<String, String> labels, double top1) {
            run(study, labels, top1, List.of());
        }

        /** {@code needs}: the runs it is made from; {@code degenerate}: what its worker's health checks found. */
        String run(String study, Map<String, String> labels, double top1, List<String> needs,
                   String... degenerate) {
            String id = "run-" + plan.size();
            plan.add(new Planner.Node(id, study.equals(ExperimentSpec.TRANSFER) ? dev.simclr.contracts.Stage.EVAL
                    : dev.simclr.contracts.Stage.FINETUNE, study, labels, needs, done -> null));
            results.put(id, new RunCompleted(Event.SCHEMA_VERSION, "exp", id, dev.simclr.contracts.Stage.EVAL, "k",
                    Map.of("top1", top1), 1.0, Instant.now()).withDegenerate(List.of(degenerate)));
            return id;
        }
    }

    static ExperimentSpec spec() throws Exception {
        JsonNode node = Json.MAPPER.readTree("""
                {"studies": ["augmentation-ablation", "transfer-classes-batch"], "seeds": [1, 2, 3, 4, 5],
                 "dataset": {"name": "d", "version": "v1"}, "encoder": {"family": "resnet", "depth": 18, "width": 0.25},
                 "pretrain": {"epochs": 1, "batchSize": 8, "policy": "crop", "temperature": 0.5, "projectionLayers": 2,
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}},
                 "finetune": {"epochs": 1, "batchSize": 8, "labelFraction": 1.0,
                              "policies": ["none", "crop", "flip", "color", "crop+color", "flip+crop", "all"],
                              "optimizer": {"name": "sgd", "learningRate": 0.1, "momentum": 0.9, "weightDecay": 0,
                                            "nesterov": false, "warmupEpochs": 0, "lrScaling": "none"}},
                 "transfer": {"classCounts": [2, 10], "batchSizes": [32, 128], "epochs": 1}}
                """);
        return ExperimentSpec.read(node);
    }

    @Test
    void theStudiesFindingsFollowTheBuiltInEffects() throws Exception {
        Synthetic s = new Synthetic();
        Map<String, Double> policy = Map.of("none", 0.70, "crop", 0.74, "flip", 0.72, "color", 0.73,
                "crop+color", 0.76, "flip+crop", 0.77, "all", 0.80);
        for (int seed = 1; seed <= 5; seed++) {
            double encoder = 0.01 * seed; // a better encoder lifts every condition of its seed alike
            for (var p : policy.entrySet()) {
                s.run(ExperimentSpec.ABLATION, Map.of("policy", p.getKey(), "seed", "" + seed),
                        p.getValue() + encoder + 0.002 * ((seed * p.getKey().length()) % 3));
            }
            for (int k : new int[] {2, 10}) {
                for (int b : new int[] {32, 128}) {
                    // 2 classes: 90 % raw (80 chance-corrected); 10 classes: 60 % raw (55.6); batch costs 2 points
                    double raw = (k == 2 ? 0.90 : 0.60) - (b == 128 ? 0.02 : 0) + encoder / 2;
                    s.run(ExperimentSpec.TRANSFER, Map.of("classes", "" + k, "batch", "" + b, "domain", "d",
                            "seed", "" + seed), raw);
                }
            }
        }
        Map<String, Findings.Finding> f = new HashMap<>();
        Findings.of(spec(), s.plan, s.results).forEach(x -> f.put(x.id(), x));
        assertThat(f.get("1a").verdict()).isEqualTo(Findings.CONFIRMED);
        assertThat(f.get("1a").mean()).isCloseTo(0.10, within(0.005));
        assertThat(f.get("1a").seeds()).isEqualTo(5);
        assertThat(f.get("1b").verdict()).isEqualTo(Findings.CONFIRMED);
        assertThat(f.get("1c").verdict()).isEqualTo(Findings.CONFIRMED);
        assertThat(f.get("3a").verdict()).isEqualTo(Findings.CONFIRMED);
        assertThat(f.get("3a").mean()).isCloseTo(0.80 - (0.60 - 0.1) / 0.9, within(0.01));
        // the batch costs the same at every k in raw points: more in chance-corrected points at k = 2 (÷0.5) than
        // at k = 10 (÷0.9), so the gain of the larger batch "grows" with k here, every seed alike
        assertThat(f.get("3b").mean()).isCloseTo(-0.02 / 0.9 + 0.02 / 0.5, within(1e-9));
    }

    /** Five seeds of the ablation and the transfer study, every effect clear; seed 3's encoder as given. */
    static Synthetic ablationAndTransfer(String... seed3PretrainDegenerate) {
        Synthetic s = new Synthetic();
        for (int seed = 1; seed <= 5; seed++) {
            String pretrain = s.run("pretraining", Map.of("seed", "" + seed), 0, List.of(),
                    seed == 3 ? seed3PretrainDegenerate : new String[0]);
            Map<String, Double> policy = Map.of("none", 0.70, "crop", 0.74, "flip", 0.72, "color", 0.73,
                    "crop+color", 0.76, "flip+crop", 0.77, "all", 0.80);
            for (var p : policy.entrySet()) {
                s.run(ExperimentSpec.ABLATION, Map.of("policy", p.getKey(), "seed", "" + seed), p.getValue()
                        + 0.002 * ((seed * p.getKey().length()) % 3), List.of(pretrain));
            }
            for (int k : new int[] {2, 10}) {
                s.run(ExperimentSpec.TRANSFER, Map.of("classes", "" + k, "batch", "32", "domain", "d", "seed",
                        "" + seed), k == 2 ? 0.9 + 0.001 * seed : 0.6);
            }
        }
        return s;
    }

    @Test
    void aVerdictThatRestsOnADegenerateRunIsInvalidAndSaysWhichAndWhy() throws Exception {
        Map<String, Findings.Finding> healthy = new HashMap<>();
        Findings.of(spec(), ablationAndTransfer().plan, ablationAndTransfer().results)
                .forEach(x -> healthy.put(x.id(), x));
        assertThat(healthy.get("1a").verdict()).isEqualTo(Findings.CONFIRMED);
        assertThat(healthy.get("1a").invalid()).isNull();

        // seed 3's pretraining collapsed: its fine-tunes rest on it, so every ablation verdict is invalid; the
        // transfer study's runs (synthetic: made from no pretraining here) keep their verdicts
        Synthetic s = ablationAndTransfer("loss: final NT-Xent loss 6.830 is within 0.05 of ln(2N − 1) = 6.236");
        Map<String, Findings.Finding> f = new HashMap<>();
        Findings.of(spec(), s.plan, s.results).forEach(x -> f.put(x.id(), x));
        assertThat(f.get("1a").verdict()).isEqualTo(Findings.INVALID);
        assertThat(f.get("1a").mean()).as("the numbers stay, for the reader").isEqualTo(healthy.get("1a").mean());
        assertThat(f.get("1a").text()).startsWith("invalid: run-").contains("seed 3").contains(
                "loss: final NT-Xent loss 6.830").contains("(as measured: +");
        assertThat(f.get("1b").verdict()).isEqualTo(Findings.INVALID);
        assertThat(f.get("1c").verdict()).isEqualTo(Findings.INVALID);
        assertThat(f.get("3a").verdict()).isEqualTo(Findings.CONFIRMED);

        // a degenerate run read directly: a head at chance
        Synthetic t = ablationAndTransfer();
        t.run(ExperimentSpec.TRANSFER, Map.of("classes", "10", "batch", "128", "domain", "d", "seed", "1"), 0.1,
                List.of(), "chance: validation top-1 0.100 is within 2 points of chance 0.100 (10 classes)");
        Map<String, Findings.Finding> g = new HashMap<>();
        Findings.of(spec(), t.plan, t.results).forEach(x -> g.put(x.id(), x));
        assertThat(g.get("3a").verdict()).isEqualTo(Findings.INVALID);
        assertThat(g.get("3a").text()).contains("chance: validation top-1 0.100");
        assertThat(g.get("1a").verdict()).isEqualTo(Findings.CONFIRMED);

        // the report shows it: the tables' n column, the protocol, the run's entry
        Report r = Report.of(new ExperimentSubmitted(Event.SCHEMA_VERSION, "exp", "r", Json.MAPPER.createObjectNode(),
                null, Instant.now()), spec(), s.plan, s.results, Map.of(), new ExperimentState());
        assertThat(r.markdown()).contains("| 5 (1 degenerate) |").contains("Degenerate runs (1 of ")
                .contains("| 1a | ").contains("invalid: run-");
        assertThat(r.runs()).anySatisfy(m -> assertThat(m.get("degenerate")).isNotNull());
    }

    static ExperimentSpec distillSpec() throws Exception {
        JsonNode recipe = Json.MAPPER.readTree(java.nio.file.Path.of("../recipes/demo.json").toFile());
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) recipe.path("scales").path("demo").deepCopy();
        json.putArray("studies").add(ExperimentSpec.DISTILLATION);
        return ExperimentSpec.read(json);
    }

    @Test
    void theDistillationControlSeparatesSameArchitectureFromSameWeights() throws Exception {
        // built in: the teacher's own base adds 3 points over an independent base of the same architecture, which
        // is worth 1 point over the other architecture
        Synthetic s = new Synthetic();
        for (int seed = 1; seed <= 5; seed++) {
            double noise = 0.004 * ((seed * 7) % 3);
            for (var base : Map.of(dev.simclr.eval.plan.Planner.TEACHERS_BASE, 0.74,
                    dev.simclr.eval.plan.Planner.INDEPENDENT_BASE, 0.71,
                    dev.simclr.eval.plan.Planner.OWN_BASE, 0.70).entrySet()) {
                String student = base.getKey().equals(dev.simclr.eval.plan.Planner.OWN_BASE) ? "vgg11 ×0.25"
                        : "resnet18 ×0.25";
                s.run(ExperimentSpec.DISTILLATION, Map.of("student", student, "mode", "frozen-base", "base",
                        base.getKey(), "seed", "" + seed), base.getValue() + noise + 0.001 * base.getKey().length());
            }
            s.run(ExperimentSpec.DISTILLATION, Map.of("student", "resnet18 ×0.25", "mode", "full", "seed", "" + seed),
                    0.80 + noise);
            s.run(ExperimentSpec.DISTILLATION, Map.of("student", "vgg11 ×0.25", "mode", "full", "seed", "" + seed),
                    0.78 + noise);
        }
        Map<String, Findings.Finding> f = new HashMap<>();
        Findings.of(distillSpec(), s.plan, s.results).forEach(x -> f.put(x.id(), x));
        assertThat(f).containsOnlyKeys("2-full", "2-frozen-base same architecture", "2-frozen-base same weights");
        assertThat(f.get("2-frozen-base same weights").mean()).isCloseTo(0.03 + 0.001 * (9 - 11), within(1e-9));
        assertThat(f.get("2-frozen-base same weights").verdict()).isEqualTo(Findings.CONFIRMED);
        assertThat(f.get("2-frozen-base same architecture").mean()).isCloseTo(0.01 + 0.001 * (11 - 3),
                within(1e-9));
        assertThat(f.get("2-frozen-base same architecture").heldEqual()).contains("α = 0.0");
        assertThat(f.get("2-full").mean()).isCloseTo(0.02, within(1e-9));

        Report r = Report.of(new ExperimentSubmitted(Event.SCHEMA_VERSION, "exp", "r", Json.MAPPER.createObjectNode(),
                null, Instant.now()), distillSpec(), s.plan, s.results, Map.of(), new ExperimentState());
        assertThat(r.tables().get(ExperimentSpec.DISTILLATION).rows().keySet()).contains(
                "resnet18 ×0.25, frozen-base, teacher's base", "resnet18 ×0.25, frozen-base, independent base",
                "vgg11 ×0.25, frozen-base, own base", "resnet18 ×0.25, full");
        assertThat(r.protocol()).contains("α = 0.0 — the student learns from the teacher's softened outputs alone")
                .contains("pretrained independently (pretraining seed + 1000000");
    }

    @Test
    void withIndependentEncodersEachVerdictIsDrawnPerEncoderAndAcrossThemAndSaysForHowManyItHolds()
            throws Exception {
        // three encoders × four seeds: "all" beats "none" by 3 points on encoders 1 and 2, loses 1 point on 3
        Synthetic s = new Synthetic();
        Map<String, Double> effect = Map.of("1", 0.03, "2", 0.03, "3", -0.01);
        for (String e : List.of("1", "2", "3")) {
            for (int seed = 1; seed <= 4; seed++) {
                double noise = 0.002 * ((seed * 5) % 3);
                s.run(ExperimentSpec.ABLATION, Map.of("policy", "none", "seed", "" + seed,
                        dev.simclr.eval.plan.Planner.ENCODER_SEED, e), 0.70 + noise);
                s.run(ExperimentSpec.ABLATION, Map.of("policy", "all", "seed", "" + seed,
                        dev.simclr.eval.plan.Planner.ENCODER_SEED, e), 0.70 + effect.get(e) + 2 * noise);
            }
        }
        Map<String, Findings.Finding> f = new HashMap<>();
        Findings.of(spec(), s.plan, s.results).forEach(x -> f.put(x.id(), x));
        Findings.Finding a = f.get("1a");
        assertThat(a.perEncoder()).extracting(Findings.Finding::id).containsExactly("1a [encoder 1]",
                "1a [encoder 2]", "1a [encoder 3]");
        assertThat(a.perEncoder()).extracting(Findings.Finding::verdict).containsExactly(Findings.CONFIRMED,
                Findings.CONFIRMED, Findings.REFUTED);
        assertThat(a.perEncoder().get(0).seeds()).isEqualTo(4);
        // across: t(2) on the encoders' means (the seeds' noise adds 0.25 points: +3.25, +3.25, −0.75): wide
        assertThat(a.seeds()).isEqualTo(3);
        double m = (0.0325 + 0.0325 - 0.0075) / 3;
        assertThat(a.mean()).isCloseTo(m, within(1e-9));
        double sd = Math.sqrt((2 * Math.pow(0.0325 - m, 2) + Math.pow(-0.0075 - m, 2)) / 2);
        assertThat(a.ci95()).isCloseTo(4.302652729911275 * sd / Math.sqrt(3), within(1e-9));
        assertThat(a.verdict()).isEqualTo(Findings.INCONCLUSIVE);
        assertThat(a.holdsFor()).isEqualTo(2);
        assertThat(a.text()).startsWith("inconclusive: +1.9 ± ").contains("points over 3 encoders; holds for 2 of 3 "
                + "encoders (1a [encoder 1] confirmed +3.3, 1a [encoder 2] confirmed +3.3, 1a [encoder 3] refuted -0.8)");
        assertThat(a.heldEqual()).contains("across 3 independently pretrained encoders");
    }

    @Test
    void aStudentsSizeIsInItsRow() {
        RunCompleted r = new RunCompleted(Event.SCHEMA_VERSION, "e", "r", dev.simclr.contracts.Stage.DISTILL, "k",
                Map.of("parameters", 2_790_000.0, "trainableParameters", 33_034.0), 1, Instant.now());
        assertThat(Report.parameters(r)).isEqualTo(" · 2.79 M parameters (33.0 k trained)");
        assertThat(Report.parameters(null)).isEmpty();
    }

    @Test
    void markdownAndHtmlShowTheSameNumbers() throws Exception {
        Synthetic s = new Synthetic();
        for (int seed = 1; seed <= 3; seed++) {
            for (String p : List.of("none", "crop", "all")) {
                s.run(ExperimentSpec.ABLATION, Map.of("policy", p, "seed", "" + seed), 0.6 + 0.05 * seed + p.length() / 100.0);
            }
        }
        ExperimentSubmitted submitted = new ExperimentSubmitted(Event.SCHEMA_VERSION, "exp", "r",
                Json.MAPPER.createObjectNode(), null, Instant.now());
        ExperimentState state = new ExperimentState();
        Report r = Report.of(submitted, spec(), s.plan, s.results, Map.of(), state);
        Set<String> md = numbers(r.markdown().substring(0, r.markdown().indexOf("## Coordination") > 0
                ? r.markdown().indexOf("## Coordination") : r.markdown().length()));
        String html = Html.page(r, Map.of());
        Set<String> page = numbers(html.substring(0, html.indexOf("<h2>Coordination") > 0
                ? html.indexOf("<h2>Coordination") : html.length()));
        assertThat(md).isNotEmpty().contains("78.4", "89.8"); // the reference beside ours
        assertThat(r.csv()).startsWith("study,row,column,seed_index,value\n")
                .contains("augmentation-ablation,none,top-1,0,").contains("augmentation-ablation,all,reference "
                        + "arXiv:2108.00587,,0.898\n");
        assertThat(page).containsAll(md);
    }

    private static Set<String> numbers(String text) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = Pattern.compile("[+-]?\\d+\\.\\d(?: ± \\d+\\.\\d)?").matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
