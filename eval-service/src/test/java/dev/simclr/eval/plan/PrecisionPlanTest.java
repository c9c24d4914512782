package dev.simclr.eval.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.DistillRequested;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.Precision;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A stage's {@code precision} is part of its runs' identity when it is not fp32, and travels in their requests; a
 * spec that says nothing, or {@code fp32}, plans the ids it planned before precision existed.
 */
class PrecisionPlanTest {
    private static final DatasetRef DATA = new DatasetRef("fashion-mnist", "v1");
    private static final List<String> STAGES = List.of("pretrain", "finetune", "distill", "transfer");

    private static ObjectNode demo() throws Exception {
        JsonNode recipe = new ObjectMapper().readTree(Path.of("../recipes/demo.json").toFile());
        return (ObjectNode) recipe.path("scales").path("demo").deepCopy();
    }

    private static List<Planner.Node> plan(ObjectNode json) {
        ExperimentSpec spec = ExperimentSpec.read(json);
        assertThat(spec.problems()).isEmpty();
        return Planner.plan("exp-1", spec, new Planner.Datasets(DATA, Map.of("fashion-mnist",
                Map.of(2, new DatasetRef("fashion-mnist-classes-2", "v1"))), Map.of(), Map.of(), Map.of(DATA, "aa")));
    }

    private static List<String> ids(List<Planner.Node> plan) {
        return plan.stream().map(Planner.Node::runId).toList();
    }

    @Test
    void fp32SaidOrNotPlansTheSameRunsAsBefore() throws Exception {
        ObjectNode json = demo();
        List<String> before = ids(plan(json));
        for (String stage : STAGES) {
            ((ObjectNode) json.path(stage)).put("precision", "fp32");
        }
        assertThat(ids(plan(json))).isEqualTo(before);
        // the spec as stored and echoed says nothing of fp32 either
        assertThat(new ObjectMapper().valueToTree(ExperimentSpec.read(json)).toString()).doesNotContain("precision");
    }

    @Test
    void aStagesPrecisionChangesItsRunsAndWhatFollowsThemAndTravelsInTheRequests() throws Exception {
        List<Planner.Node> fp32 = plan(demo());
        for (String stage : STAGES) {
            ObjectNode json = demo();
            ((ObjectNode) json.path(stage)).put("precision", "bf16");
            List<Planner.Node> bf16 = plan(json);
            Map<String, RunCompleted> done = new HashMap<>();
            for (int i = 0; i < bf16.size(); i++) {
                Planner.Node n = bf16.get(i);
                done.put(n.runId(), new RunCompleted(1, "exp-1", n.runId(), n.stage(), "k/" + n.runId(), Map.of(), 0,
                        Instant.EPOCH, (String) null));
            }
            for (int i = 0; i < bf16.size(); i++) {
                Planner.Node n = bf16.get(i);
                Event request = n.request().apply(done);
                Precision asked = request instanceof TrainRequested t ? t.precision()
                        : request instanceof DistillRequested d ? d.precision()
                        : request instanceof EvalRequested e ? e.precision() : null;
                boolean own = switch (stage) {
                    case "pretrain" -> n.stage() == Stage.PRETRAIN;
                    case "finetune" -> n.stage() == Stage.FINETUNE;
                    case "distill" -> n.stage() == Stage.DISTILL;
                    default -> n.stage() == Stage.EVAL && !n.needs().isEmpty(); // not the raw-pixel baseline
                };
                assertThat(asked).as("%s asked of %s", n.runId(), stage).isEqualTo(own ? Precision.BF16 : null);
                if (own) {
                    assertThat(fp32.stream().map(Planner.Node::runId)).as(stage).doesNotContain(n.runId());
                }
            }
            if (!stage.equals("pretrain")) {
                // the other stages' runs that do not follow it keep their ids: the pretraining at least
                assertThat(ids(bf16).get(0)).isEqualTo(ids(fp32).get(0));
            }
        }
    }

    @Test
    void anUnknownPrecisionIsRefusedNamingTheField() throws Exception {
        ObjectNode json = demo();
        ((ObjectNode) json.path("pretrain")).put("precision", "fp16");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExperimentSpec.read(json))
                .hasMessageContaining("precision");
    }
}
