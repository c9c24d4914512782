package dev.simclr.eval.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every scale of every recipe in {@code recipes/} is a spec without problems; the transfer study reaches digits. */
class RecipesTest {
    @Test
    void everyScaleOfEveryRecipeIsAValidSpec() throws Exception {
        Path dir = Path.of("../recipes");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(4);
        for (Path f : files) {
            JsonNode recipe = new ObjectMapper().readTree(f.toFile());
            recipe.path("scales").fields().forEachRemaining(scale -> {
                ExperimentSpec spec = ExperimentSpec.read(scale.getValue());
                assertThat(spec.problems()).as(f + " " + scale.getKey()).isEmpty();
                if (spec.studies().contains(ExperimentSpec.TRANSFER)) {
                    assertThat(spec.transfer().datasets()).as(f + " " + scale.getKey())
                            .extracting(ExperimentSpec.TransferDataset::name).contains("digits");
                }
            });
        }
    }
}
