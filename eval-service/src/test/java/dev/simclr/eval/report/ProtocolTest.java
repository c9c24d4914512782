package dev.simclr.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.Json;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.eval.plan.Planner;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report's protocol says what this experiment held: shared pretraining, the test split scored, the policies. */
class ProtocolTest {

    static String protocol(ObjectNode spec, int channels) {
        ExperimentSpec s = ExperimentSpec.read(spec);
        assertThat(s.problems()).isEmpty();
        DatasetRef main = new DatasetRef("fashion-mnist", "v1");
        List<Planner.Node> plan = Planner.plan("exp", s, new Planner.Datasets(main, Map.of()));
        Map<String, Object> lineage = Map.of("datasets", Map.of("fashion-mnist/v1", Map.of("channels", channels,
                "images", Map.of("train", 60000, "test", 10000))));
        return Report.protocol(s, plan, Map.of(), lineage);
    }

    @Test
    void theProtocolNamesSharedPretrainingTheWholeTestSplitAndWhatColourDoes() throws Exception {
        JsonNode recipe = Json.MAPPER.readTree(Path.of("../recipes/demo.json").toFile());
        ObjectNode spec = (ObjectNode) recipe.path("scales").path("demo").deepCopy();
        spec.remove("sample");
        assertThat(protocol(spec, 1)).startsWith(Report.PROTOCOL).contains("one encoder per seed")
                .contains("the whole test split of fashion-mnist (10000 images)")
                .contains("only brightness and contrast act on one channel");
        ((ObjectNode) spec.path("pretrain")).put("seed", 4);
        spec.put("sample", 0.1);
        spec.put("testSample", 1.0);
        assertThat(protocol(spec, 3)).contains("one encoder (seed 4) shared by every seed")
                .contains("the whole test split").contains("saturation and hue");
        spec.remove("testSample");
        assertThat(protocol(spec, 3)).contains("a class-balanced sample of the test split");
        ((ObjectNode) spec.path("pretrain")).putObject("dataset").put("name", "photos").put("version", "v1");
        assertThat(protocol(spec, 3)).contains("Pretraining reads photos/v1 (pretrain.dataset: whole, no labels "
                + "read); the studies read fashion-mnist/v1.");
    }
}
