package dev.simclr.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every user mistake is one line that says what was wrong and what is expected; no Java text reaches the user. */
class UserErrorsTest {
    @TempDir
    Path dir;

    @Test
    void recipeFilesThatAreMissingEmptyOrNotAnObjectAreNamed() throws Exception {
        Files.writeString(dir.resolve("empty.json"), "");
        Files.writeString(dir.resolve("array.json"), "[1, 2]");
        Files.writeString(dir.resolve("broken.json"), "{\"scales\": ");
        Files.writeString(dir.resolve("one.json"), "{\"scales\": {\"demo\": {}}}");
        assertThat(CliRun.of("submit", dir.resolve("nope.json").toString()).err()).startsWith("error: recipe: no file ");
        assertThat(CliRun.of("submit", dir.resolve("empty.json").toString()).err()).contains("must be a JSON object");
        assertThat(CliRun.of("submit", dir.resolve("array.json").toString()).err()).contains("must be a JSON object");
        assertThat(CliRun.of("submit", dir.resolve("broken.json").toString()).err()).contains("is not JSON");
        CliRun r = CliRun.of("submit", dir.resolve("one.json").toString(), "--scale", "full");
        assertThat(r.err()).isEqualTo("error: --scale: " + dir.resolve("one.json") + " has no scale 'full' (has [demo])");
        assertThat(r.exit()).isEqualTo(2);
    }

    @Test
    void precisionOverridesEveryStageTheScaleHasAndNothingElse() throws Exception {
        var spec = (com.fasterxml.jackson.databind.node.ObjectNode) dev.simclr.contracts.Json.MAPPER.readTree(
                "{\"seeds\": [1], \"pretrain\": {\"epochs\": 1, \"precision\": \"fp32\"}, \"finetune\": {},"
                        + " \"transfer\": {\"classCounts\": [2]}}");
        var out = ExperimentCommands.withPrecision(spec, "auto");
        assertThat(out.toString()).isEqualTo("{\"seeds\":[1],\"pretrain\":{\"epochs\":1,\"precision\":\"auto\"},"
                + "\"finetune\":{\"precision\":\"auto\"},\"transfer\":{\"classCounts\":[2],\"precision\":\"auto\"}}");
        assertThat(spec.path("finetune").has("precision")).as("the recipe's own tree is left as it was").isFalse();
        Files.writeString(dir.resolve("one.json"), "{\"scales\": {\"demo\": {\"pretrain\": {}}}}");
        CliRun r = CliRun.of("submit", dir.resolve("one.json").toString(), "--precision", "fp16");
        assertThat(r.err()).isEqualTo("error: --precision: expected fp32, bf16 or auto, got 'fp16'");
        assertThat(r.exit()).isEqualTo(2);
    }

    @Test
    void malformedImportOptionsAreNamedBeforeAnythingConnects() {
        assertThat(CliRun.of("import", "folder", "--dir", dir.resolve("nope").toString(), "--name", "x").err())
                .isEqualTo("error: --dir: no folder " + dir.resolve("nope").toAbsolutePath());
        assertThat(CliRun.of("import", "folder", "--dir", dir.toString(), "--name", "x", "--size", "28").err())
                .isEqualTo("error: --size: expected HxW such as 32x32, got '28'");
        assertThat(CliRun.of("import", "folder", "--dir", dir.toString()).err()).isEqualTo("error: --name is required for folder");
        assertThat(CliRun.of("import", "subset", "--name", "x").err()).startsWith("error: --classes:");
        assertThat(CliRun.of("import", "fraction", "--name", "x", "--fraction", "2").err()).startsWith("error: --fraction:");
        assertThat(CliRun.of("import", "bogus").err()).startsWith("error: unknown kind 'bogus'");
        assertThat(CliRun.of("import", "npz", "--name", "x").err()).isEqualTo("error: --file: give the file to import");
        assertThat(CliRun.of("import", "npy", "--name", "x", "--file", dir.toString()).err())
                .startsWith("error: --file: no file ").endsWith("(it is a folder)");
        assertThat(CliRun.of("import", "folder", "--dir", dir.toString(), "--name", "x", "--labels-csv", "l.csv").err())
                .startsWith("error: --labels-csv labels some images of an --unlabelled folder");
        assertThat(CliRun.of("import", "cifar10", "--dir", dir.toString(), "--name", "x", "--unlabelled").err())
                .isEqualTo("error: --unlabelled and --labels-csv are for folder imports");
    }

    @Test
    void aDatasetThatDoesNotImportIsShownAsItIsWithExitStatus2() {
        var refused = new dev.simclr.core.dataset.DatasetImportException("cat/b.png: not a readable PNG or JPEG image");
        assertThat(Simclr.describe(refused)).isEqualTo("cat/b.png: not a readable PNG or JPEG image");
        assertThat(Simclr.exitStatus(refused)).isEqualTo(2);
        var store = new dev.simclr.core.store.ObjectStoreException("get x: AccessDenied", null);
        assertThat(Simclr.describe(store)).isEqualTo("get x: AccessDenied");
        assertThat(Simclr.exitStatus(store)).isEqualTo(1);
        // a name that would leave its prefix is refused before anything is read or connects
        CliRun r = CliRun.of("import", "folder", "--dir", dir.toString(), "--name", "../x");
        assertThat(r.err()).isEqualTo("error: --name '../x' must match [a-z0-9][a-z0-9._-]{0,63}, no '..'");
        assertThat(r.exit()).isEqualTo(2);
    }

    @Test
    void anythingElseIsAnInternalErrorWithoutJavasText() {
        assertThat(Simclr.describe(new NullPointerException("Cannot invoke \"java.util.Map.keySet()\"")))
                .isEqualTo("internal error (NullPointerException); SIMCLR_DEBUG=1 shows where");
        assertThat(Simclr.describe(new ArrayIndexOutOfBoundsException("Index 1 out of bounds for length 1")))
                .doesNotContain("Index 1");
    }
}
