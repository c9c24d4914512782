package dev.simclr.runs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.RunIds;
import dev.simclr.core.augment.AugmentPolicy;
import dev.simclr.core.augment.Augmenter;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.run.Progress;
import dev.simclr.core.store.Sha256;
import dev.simclr.core.testing.TestImages;
import dev.simclr.engine.train.Classification;
import dev.simclr.engine.train.LoopSettings;
import dev.simclr.engine.train.Normalization;
import dev.simclr.engine.train.Pretraining;
import dev.simclr.engine.train.RunListener;
import dev.simclr.engine.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@link RunIds#NUMERICS} honest. Runs are reused across experiments by an id that says what they compute, and
 * NUMERICS stands for the code's part of that. This test pins a tiny pipeline's numbers — augmented views (bit
 * exact: Java arithmetic), a SimCLR pretraining's and a fine-tuning's losses (libtorch: within 1e-3, what different
 * CPUs' kernels allow) — to the version: a change to augmentation, losses, models or loops that moves them fails
 * here until NUMERICS is bumped and the pin rewritten ({@code -Dsimclr.repin=true} writes
 * src/test/resources/numerics-pin.json), so no stored run is reused across a change of its numbers.
 */
class NumericsPinTest {
    private static final Path PIN = Path.of("src/test/resources/numerics-pin.json");

    @Test
    void theNumbersOfATinyPipelineAreThoseOfTheNumericsVersion() throws Exception {
        LabelledImages images = TestImages.stripes(32, 16, 1);
        String views;
        try (Augmenter a = new Augmenter(images, AugmentPolicy.parse("crop+flip+color"), 5, "pin", 2, 1)) {
            byte[][] v = a.views(0, 0, new int[] {0, 3, 7, 11, 31});
            views = Sha256.hex(v[0]) + Sha256.hex(v[1]);
        }
        Normalization norm = Normalization.of(images.pixels(), 1);
        LoopSettings settings = new LoopSettings(16, 1, 5, OptimizerName.SGD, 0.1, 0.9, 1e-4, true, 0,
                LrScaling.NONE, 0);
        List<Double> pretrain;
        List<Double> finetune;
        try (NDManager m = NDManager.newBaseManager();
             Augmenter a = new Augmenter(images, AugmentPolicy.parse("crop+flip+color"), 5, "pin", 2, 1);
             Augmenter b = new Augmenter(images, AugmentPolicy.parse("crop"), 5, "pin", 1, 1)) {
            pretrain = losses(new Pretraining(settings, new Pretraining.Spec(EncoderFamily.RESNET, 18, 0.125, 2, 0.5),
                    images, norm, a, null, m));
            finetune = losses(new Classification(settings, new Classification.Spec(EncoderFamily.RESNET, 18, 0.125,
                    List.of(), false, 4), images, norm, b, m));
        }
        if (Boolean.getBoolean("simclr.repin")) {
            ObjectNode pin = Json.MAPPER.createObjectNode();
            pin.put("numerics", RunIds.NUMERICS);
            pin.put("viewsSha256", views);
            pretrain.forEach(pin.putArray("pretrainLosses")::add);
            finetune.forEach(pin.putArray("finetuneLosses")::add);
            Files.writeString(PIN, Json.PRETTY.writeValueAsString(pin) + "\n");
        }
        JsonNode pin = Json.MAPPER.readTree(PIN.toFile());
        assertThat(pin.path("numerics").asInt()).as("the pin was written for another RunIds.NUMERICS: re-pin")
                .isEqualTo(RunIds.NUMERICS);
        String changed = "the numbers of RunIds.NUMERICS " + RunIds.NUMERICS + " changed: bump NUMERICS (stored runs "
                + "must not be reused across this change) and re-pin with -Dsimclr.repin=true";
        assertThat(views).as("augmented views: " + changed).isEqualTo(pin.path("viewsSha256").asText());
        assertClose(pretrain, pin.path("pretrainLosses"), "pretraining losses: " + changed);
        assertClose(finetune, pin.path("finetuneLosses"), "fine-tuning losses: " + changed);
    }

    private static void assertClose(List<Double> got, JsonNode pinned, String what) {
        assertThat(got).as(what).hasSize(pinned.size());
        for (int i = 0; i < got.size(); i++) {
            double want = pinned.get(i).asDouble();
            assertThat(got.get(i)).as(what + " (step " + i + ")")
                    .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-3 * Math.abs(want)));
        }
    }

    private static List<Double> losses(TrainingLoop loop) throws Exception {
        List<Double> out = new ArrayList<>();
        try (loop) {
            loop.run(new RunListener() {
                @Override
                public void progress(Progress p) {
                    if (p.knnAccuracy() == null) {
                        out.add(p.loss());
                    }
                }
            });
        }
        return out;
    }
}
