package dev.simclr.eval.submission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.InvalidEventException;
import dev.simclr.contracts.Json;
import dev.simclr.core.testing.JsonMutations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Any mutation of a valid submission (every recipe's every scale) is decoded and checked without an exception, and
 * each problem names its field: what the experiments topic's consumer and the REST resource answer with.
 */
class SubmissionPropertiesTest {
    static final Pattern NAMED = Pattern.compile("^[A-Za-z][A-Za-z0-9_]*(\\[\\d+\\])?([.][A-Za-z0-9_]+(\\[\\d+\\])?)*: .+",
            Pattern.DOTALL);

    @Test
    void everyMutationOfEverySubmissionIsAnsweredByField() throws Exception {
        Path recipes = Path.of(System.getProperty("simclr.repo.root", "..")).resolve("recipes");
        int cases = 0;
        try (var files = Files.list(recipes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode recipe = Json.MAPPER.readTree(Files.readString(file));
                for (var it = recipe.path("scales").fields(); it.hasNext(); ) {
                    var scale = it.next();
                    String valid = "{\"type\": \"experiment-submitted\", \"schemaVersion\": 1, \"experimentId\": "
                            + "\"prop-1\", \"recipe\": \"r\", \"submittedAt\": \"2026-12-01T00:00:00Z\", \"spec\": "
                            + scale.getValue() + "}";
                    assertThat(check(valid)).as(file + " " + scale.getKey()).isEmpty();
                    for (String json : JsonMutations.sample(valid, 400, file.hashCode() + scale.getKey().hashCode())) {
                        assertThat(check(json)).as(json).allSatisfy(p -> assertThat(p).matches(NAMED));
                        cases++;
                    }
                }
            }
        }
        assertThat(cases).isGreaterThanOrEqualTo(400);
    }

    /** The problems of a submission, as the coordinator's intake finds them before any I/O. */
    static List<String> check(String json) {
        ExperimentSubmitted e;
        try {
            e = EventCodec.decode(json, ExperimentSubmitted.class);
        } catch (InvalidEventException ex) {
            return ex.problems();
        }
        return SubmissionCheck.check(e.experimentId(), e.recipe(), e.spec()).problems();
    }
}
