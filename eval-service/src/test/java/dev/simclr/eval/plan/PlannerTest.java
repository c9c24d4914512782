package dev.simclr.eval.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.AugmentRequested;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.Topics;
import dev.simclr.contracts.TrainRequested;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private static final DatasetRef DATA = new DatasetRef("fashion-mnist", "v1");

    private static ExperimentSpec demoWithViews(String views) throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(Path.of("../recipes/demo.json").toFile());
        ObjectNode spec = (ObjectNode) recipe.path("scales").path("demo").deepCopy();
        spec.putArray("studies").add(ExperimentSpec.ABLATION);
        spec.putArray("seeds").add(7);
        if (views != null) {
            ((ObjectNode) spec.path("pretrain")).put("views", views);
        }
        return ExperimentSpec.read(spec);
    }

    private static List<String> ids(String experimentId, ExperimentSpec spec, Map<DatasetRef, String> content) {
        DatasetRef two = new DatasetRef("fashion-mnist-classes-2", "v1");
        return Planner.plan(experimentId, spec, new Planner.Datasets(DATA, Map.of("fashion-mnist", Map.of(2, two)),
                Map.of(), Map.of(), content)).stream().map(Planner.Node::runId).toList();
    }

    @Test
    void runIdsSayWhatARunComputesNotWhichExperimentAskedUnlessTheSpecSaysFresh() throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(Path.of("../recipes/demo.json").toFile());
        ObjectNode json = (ObjectNode) recipe.path("scales").path("demo").deepCopy();
        ExperimentSpec spec = ExperimentSpec.read(json);
        Map<DatasetRef, String> content = Map.of(DATA, "aa");
        List<String> first = ids("exp-1", spec, content);
        assertThat(ids("exp-2", spec, content)).isEqualTo(first);
        // another content under the same name and version: every run that reads it, and all that follow, change
        List<String> other = ids("exp-1", spec, Map.of(DATA, "bb"));
        Planner.Datasets d = new Planner.Datasets(DATA, Map.of("fashion-mnist", Map.of(2,
                new DatasetRef("fashion-mnist-classes-2", "v1"))), Map.of(), Map.of(), content);
        List<Planner.Node> plan = Planner.plan("exp-1", spec, d);
        for (int i = 0; i < plan.size(); i++) {
            Planner.Node n = plan.get(i);
            boolean readsSubsetOnly = n.stage() == Stage.EVAL && n.needs().isEmpty(); // raw pixels on the subset
            assertThat(other.get(i).equals(first.get(i))).as(n.runId()).isEqualTo(readsSubsetOnly);
        }
        json.put("fresh", true);
        ExperimentSpec fresh = ExperimentSpec.read(json);
        assertThat(fresh.problems()).isEmpty();
        List<String> own = ids("exp-1", fresh, content);
        assertThat(own).doesNotContainAnyElementsOf(first).doesNotContainAnyElementsOf(ids("exp-2", fresh, content));
        assertThat(ids("exp-1", fresh, content)).isEqualTo(own);
    }

    @Test
    void aRunsIdIsWhatItComputesNotTheStudyAroundIt() throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(Path.of("../recipes/demo.json").toFile());
        ObjectNode json = (ObjectNode) recipe.path("scales").path("demo").deepCopy();
        Map<DatasetRef, String> content = Map.of(DATA, "aa");
        List<String> all = ids("exp-1", ExperimentSpec.read(json), content);
        // fewer policies, one student, one mode: every run left is one the first plan has, under the same id
        ((ObjectNode) json.path("finetune")).putArray("policies").add("none").add("crop");
        ObjectNode distill = (ObjectNode) json.path("distill");
        JsonNode first = distill.path("students").get(0).deepCopy();
        distill.putArray("students").add(first);
        distill.putArray("modes").add("frozen-base");
        ExperimentSpec fewer = ExperimentSpec.read(json);
        assertThat(fewer.problems()).isEmpty();
        List<String> kept = ids("exp-2", fewer, content);
        assertThat(kept).hasSizeLessThan(all.size());
        assertThat(all).containsAll(kept);
        // what a fine-tune computes changes: the fine-tunes and the students that learn from them change, nothing else
        ((ObjectNode) json.path("finetune")).put("epochs", json.path("finetune").path("epochs").asInt() + 1);
        Planner.Datasets d = new Planner.Datasets(DATA, Map.of("fashion-mnist", Map.of(2,
                new DatasetRef("fashion-mnist-classes-2", "v1"))), Map.of(), Map.of(), content);
        List<Planner.Node> before = Planner.plan("exp-1", fewer, d);
        List<Planner.Node> after = Planner.plan("exp-1", ExperimentSpec.read(json), d);
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            Stage stage = before.get(i).stage();
            boolean follows = stage == Stage.FINETUNE || stage == Stage.DISTILL;
            assertThat(after.get(i).runId().equals(before.get(i).runId())).as(before.get(i).runId())
                    .isEqualTo(!follows);
        }
    }

    @Test
    void viewsFromAugmentServiceAddAnAugmentRunThatFeedsThePretraining() throws Exception {
        ExperimentSpec spec = demoWithViews("augment-service");
        assertThat(spec.problems()).isEmpty();
        List<Planner.Node> plan = Planner.plan("exp", spec, new Planner.Datasets(DATA, Map.of()));
        Planner.Node augment = plan.get(0);
        Planner.Node pretrain = plan.get(1);
        assertThat(augment.stage()).isEqualTo(Stage.AUGMENT);
        assertThat(augment.topic()).isEqualTo(Topics.AUGMENT_REQUESTS);
        assertThat(augment.needs()).isEmpty();
        assertThat(pretrain.needs()).isEmpty();
        AugmentRequested a = (AugmentRequested) augment.request().apply(Map.of());
        TrainRequested t = (TrainRequested) pretrain.request().apply(Map.of());
        assertThat(t.viewsFromRun()).isEqualTo(augment.runId());
        // the shards hold exactly the views the trainer would make itself
        assertThat(a.seed()).isEqualTo(t.seed()).isEqualTo(7);
        assertThat(a.policy()).isEqualTo(t.policy());
        assertThat(a.epochs()).isEqualTo(t.epochs());
        assertThat(a.dataset()).isEqualTo(t.dataset());
        assertThat(a.viewsPerImage()).isEqualTo(2);
        assertThat(plan).filteredOn(n -> n.stage() == Stage.AUGMENT).hasSize(1);
    }

    @Test
    void pretrainDatasetIsWhatPretrainingReadsAndTheStudiesReadTheMainDataset() throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(Path.of("../recipes/demo.json").toFile());
        ObjectNode spec = (ObjectNode) recipe.path("scales").path("demo").deepCopy();
        List<Planner.Node> before = Planner.plan("exp", ExperimentSpec.read(spec), new Planner.Datasets(DATA, Map.of()));
        ((ObjectNode) spec.path("pretrain")).putObject("dataset").put("name", "photos").put("version", "v2");
        ExperimentSpec read = ExperimentSpec.read(spec);
        assertThat(read.problems()).isEmpty();
        List<Planner.Node> plan = Planner.plan("exp", read, new Planner.Datasets(DATA, Map.of()));
        var done = new java.util.HashMap<String, dev.simclr.contracts.RunCompleted>();
        for (Planner.Node n : plan) {
            done.put(n.runId(), new dev.simclr.contracts.RunCompleted(1, "exp", n.runId(), n.stage(),
                    "runs/" + n.runId() + "/checkpoint", Map.of(), 0, java.time.Instant.EPOCH));
        }
        assertThat(plan).filteredOn(n -> n.stage() == Stage.PRETRAIN).isNotEmpty().allSatisfy(n -> assertThat(
                ((TrainRequested) n.request().apply(done)).dataset()).isEqualTo(new DatasetRef("photos", "v2")));
        assertThat(plan).filteredOn(n -> n.stage() == Stage.FINETUNE).isNotEmpty().allSatisfy(n -> assertThat(
                ((TrainRequested) n.request().apply(done)).dataset()).isEqualTo(DATA));
        assertThat(plan.get(0).runId()).isNotEqualTo(before.get(0).runId());
        // a spec without it plans the run ids it did before the field existed: the identity leaves it out
        ((ObjectNode) spec.path("pretrain")).remove("dataset");
        assertThat(dev.simclr.contracts.EventCodec.MAPPER.valueToTree(ExperimentSpec.read(spec).pretrain())
                .has("dataset")).isFalse();
        ((ObjectNode) spec.path("pretrain")).putObject("dataset").put("name", "../x").put("version", "v1");
        assertThat(ExperimentSpec.read(spec).problems()).anyMatch(p -> p.startsWith("pretrain.dataset.name"));
    }

    @Test
    void aSharedPretrainingIsOneRunEverySeedStartsFrom() throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(Path.of("../recipes/demo.json").toFile());
        ObjectNode spec = (ObjectNode) recipe.path("scales").path("demo").deepCopy();
        List<Planner.Node> own = Planner.plan("exp", ExperimentSpec.read(spec), new Planner.Datasets(DATA, Map.of()));
        ((ObjectNode) spec.path("pretrain")).put("seed", 11);
        ExperimentSpec shared = ExperimentSpec.read(spec);
        assertThat(shared.problems()).isEmpty();
        List<Planner.Node> plan = Planner.plan("exp", shared, new Planner.Datasets(DATA, Map.of()));
        // demo: three seeds, students resnet18 (the encoder; and its independent base) and vgg11 (its own base)
        assertThat(own).filteredOn(n -> n.stage() == Stage.PRETRAIN).hasSize(9);
        assertThat(plan).filteredOn(n -> n.stage() == Stage.PRETRAIN && n.labels().containsKey("base"))
                .singleElement().satisfies(n -> assertThat(n.labels()).containsEntry("seed", "1000011"));
        List<Planner.Node> pretrains = plan.stream().filter(n -> n.stage() == Stage.PRETRAIN
                && !n.labels().containsKey("base")).toList();
        assertThat(pretrains).hasSize(2).allSatisfy(n -> {
            assertThat(((TrainRequested) n.request().apply(Map.of())).seed()).isEqualTo(11);
            assertThat(n.labels()).containsEntry("seed", "11");
        });
        Planner.Node encoder = pretrains.get(0);
        // every seed's fine-tunes start from the one encoder, with their own seed
        List<Planner.Node> finetunes = plan.stream().filter(n -> n.stage() == Stage.FINETUNE).toList();
        assertThat(finetunes).allSatisfy(n -> assertThat(n.needs()).containsExactly(encoder.runId()));
        assertThat(finetunes.stream().map(n -> n.labels().get("seed")).distinct()).containsExactlyInAnyOrder("1",
                "2", "3");
        assertThat(plan.size()).isEqualTo(own.size() - 6);
    }

    @Test
    void frozenBaseStudentsGetTheTeachersBaseAnIndependentBaseOfTheSameArchitectureAndTheOtherArchitecturesOwn()
            throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(Path.of("../recipes/demo.json").toFile());
        ObjectNode json = (ObjectNode) recipe.path("scales").path("demo").deepCopy();
        json.putArray("studies").add(ExperimentSpec.DISTILLATION);
        json.putArray("seeds").add(4);
        List<Planner.Node> plan = Planner.plan("exp", ExperimentSpec.read(json), new Planner.Datasets(DATA, Map.of()));
        Map<String, Planner.Node> byId = new java.util.HashMap<>();
        plan.forEach(n -> byId.put(n.runId(), n));
        Planner.Node teacherBase = plan.stream().filter(n -> n.stage() == Stage.PRETRAIN
                && n.labels().get("encoder").startsWith("resnet") && !n.labels().containsKey("base")).findFirst()
                .orElseThrow();
        List<Planner.Node> frozen = plan.stream().filter(n -> n.stage() == Stage.DISTILL
                && "frozen-base".equals(n.labels().get("mode"))).toList();
        assertThat(frozen).extracting(n -> n.labels().get("base")).containsExactlyInAnyOrder(Planner.TEACHERS_BASE,
                Planner.INDEPENDENT_BASE, Planner.OWN_BASE);
        for (Planner.Node n : frozen) {
            Planner.Node base = byId.get(n.needs().get(1));
            switch (n.labels().get("base")) {
                case Planner.TEACHERS_BASE -> assertThat(base).isSameAs(teacherBase);
                case Planner.INDEPENDENT_BASE -> {
                    assertThat(base.labels()).containsEntry("encoder", teacherBase.labels().get("encoder"))
                            .containsEntry("seed", "1000004").containsEntry("base", Planner.INDEPENDENT_BASE);
                    assertThat(((TrainRequested) base.request().apply(Map.of())).seed()).isEqualTo(1_000_004);
                    assertThat(n.labels().get("student")).isEqualTo(teacherBase.labels().get("encoder"));
                }
                default -> assertThat(base.labels().get("encoder")).startsWith("vgg");
            }
            // the same teacher for all three
            assertThat(n.needs().get(0)).isEqualTo(frozen.get(0).needs().get(0));
        }
        // full students have no base and no control
        assertThat(plan).filteredOn(n -> n.stage() == Stage.DISTILL && "full".equals(n.labels().get("mode")))
                .hasSize(2).allSatisfy(n -> assertThat(n.labels()).doesNotContainKey("base"));
    }

    @Test
    void independentPretrainingsAreEachCrossedWithEverySeedUnderTheIdsOfASharedSeed() throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(Path.of("../recipes/demo.json").toFile());
        ObjectNode json = (ObjectNode) recipe.path("scales").path("demo").deepCopy();
        json.putArray("studies").add(ExperimentSpec.ABLATION).add(ExperimentSpec.DISTILLATION);
        json.putArray("seeds").add(4).add(5);
        ((ObjectNode) json.path("pretrain")).putArray("seeds").add(1).add(2).add(3);
        ExperimentSpec spec = ExperimentSpec.read(json);
        assertThat(spec.problems()).isEmpty();
        List<Planner.Node> plan = Planner.plan("exp", spec, new Planner.Datasets(DATA, Map.of()));
        // per encoder: its pretraining, the VGG student's and the independent base of the control
        assertThat(plan).filteredOn(n -> n.stage() == Stage.PRETRAIN).hasSize(9);
        assertThat(plan).allSatisfy(n -> assertThat(n.labels()).containsKey(Planner.ENCODER_SEED));
        List<Planner.Node> finetunes = plan.stream().filter(n -> n.study().equals(ExperimentSpec.ABLATION)).toList();
        assertThat(finetunes).hasSize(3 * 2 * 7);
        for (String e : List.of("1", "2", "3")) {
            ((ObjectNode) json.path("pretrain")).remove("seeds");
            ((ObjectNode) json.path("pretrain")).put("seed", Long.parseLong(e));
            List<Planner.Node> one = Planner.plan("exp", ExperimentSpec.read(json), new Planner.Datasets(DATA,
                    Map.of()));
            // encoder e's runs are exactly the plan of a spec whose shared pretraining has seed e: the same ids
            assertThat(plan.stream().filter(n -> e.equals(n.labels().get(Planner.ENCODER_SEED)))
                    .map(Planner.Node::runId).toList()).containsExactlyElementsOf(one.stream().map(Planner.Node::runId)
                    .toList());
            // and every fine-tune of encoder e starts from encoder e's pretraining, for seeds 4 and 5
            Planner.Node pretrain = one.get(0);
            assertThat(pretrain.labels()).containsEntry("seed", e);
            assertThat(finetunes.stream().filter(n -> e.equals(n.labels().get(Planner.ENCODER_SEED))))
                    .hasSize(14).allSatisfy(n -> assertThat(n.needs()).containsExactly(pretrain.runId()));
        }
        // both: refused, with what to do
        ((ObjectNode) json.path("pretrain")).putArray("seeds").add(1).add(2);
        assertThat(ExperimentSpec.read(json).problems()).contains("pretrain: give seed (one encoder every seed "
                + "shares) or seeds (independent encoders, each crossed with every seed), not both");
        ((ObjectNode) json.path("pretrain")).remove("seed");
        ((ObjectNode) json.path("pretrain")).putArray("seeds").add(1).add(1);
        assertThat(ExperimentSpec.read(json).problems()).anyMatch(p -> p.startsWith("pretrain.seeds:"));
    }

    @Test
    void runsOthersWaitForAreIssuedFirst() throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(Path.of("../recipes/demo.json").toFile());
        ExperimentSpec spec = ExperimentSpec.read(recipe.path("scales").path("demo"));
        DatasetRef subset = new DatasetRef("fashion-mnist-classes-2", "v1");
        List<Planner.Node> plan = Planner.plan("exp", spec, new Planner.Datasets(DATA,
                Map.of("fashion-mnist", Map.of(2, subset))));
        List<Planner.Node> order = Planner.issueOrder(plan);
        assertThat(order).containsExactlyInAnyOrderElementsOf(plan);
        // every seed's pretraining of the main encoder before any other run, in plan (seed) order
        List<Planner.Node> mainPretrains = plan.stream()
                .filter(n -> n.stage() == Stage.PRETRAIN && n.labels().get("encoder").startsWith("resnet")
                        && !n.labels().containsKey("base")).toList();
        assertThat(mainPretrains).hasSize(spec.seeds().size());
        assertThat(order.subList(0, mainPretrains.size())).containsExactlyElementsOf(mainPretrains);
        // a seed's distillation teacher goes before that seed's ablation fine-tunes, which no run waits for
        Planner.Node teacher = plan.stream().filter(n -> n.study().equals("teacher")).findFirst().orElseThrow();
        String seed = teacher.labels().get("seed");
        List<Planner.Node> ablation = plan.stream().filter(n -> n.study().equals(ExperimentSpec.ABLATION)
                && n.labels().get("seed").equals(seed)).toList();
        assertThat(plan.indexOf(teacher)).isGreaterThan(plan.indexOf(ablation.get(0)));
        assertThat(order.indexOf(teacher)).isLessThan(ablation.stream().mapToInt(order::indexOf).min().orElseThrow());
        // a run comes after every run it needs
        for (Planner.Node n : order) {
            for (String need : n.needs()) {
                assertThat(order.stream().map(Planner.Node::runId).toList().indexOf(need))
                        .isLessThan(order.indexOf(n));
            }
        }
    }

    @Test
    void inProcessViewsByDefaultAndAnUnknownSourceIsNamed() throws Exception {
        List<Planner.Node> plan = Planner.plan("exp", demoWithViews(null), new Planner.Datasets(DATA, Map.of()));
        assertThat(plan).noneMatch(n -> n.stage() == Stage.AUGMENT);
        assertThat(((TrainRequested) plan.get(0).request().apply(Map.of())).viewsFromRun()).isNull();
        assertThat(demoWithViews("gpu-augment").problems())
                .anyMatch(p -> p.startsWith("pretrain.views") && p.contains("gpu-augment"));
    }
}
