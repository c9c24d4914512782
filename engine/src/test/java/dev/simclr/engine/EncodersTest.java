package dev.simclr.engine;

import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.Wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.core.npy.Npy;
import dev.simclr.engine.model.Encoders;
import dev.simclr.engine.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The encoders against their PyTorch definitions: parameter counts, and a forward pass with the same weights. */
class EncodersTest {

    @Test
    void parameterCountsMatchPyTorch() {
        JsonNode counts = Reference.json().get("paramCounts");
        try (NDManager manager = NDManager.newBaseManager()) {
            for (var it = counts.fields(); it.hasNext(); ) {
                var e = it.next();
                String[] p = e.getKey().split("-");
                long expected = e.getValue().get("params").asLong();
                Network net;
                switch (p[0]) {
                    case "resnet", "vgg" -> {
                        int cin = Integer.parseInt(p[3]);
                        Encoders.Encoder enc = Encoders.build(Wire.parse(EncoderFamily.class, p[0]).orElseThrow(), Integer.parseInt(p[1]), Double.parseDouble(p[2]),
                                cin);
                        assertThat(enc.featureDim()).as(e.getKey()).isEqualTo(e.getValue().get("featureDim").asInt());
                        net = new Network(enc.block(), manager.newSubManager(), new Shape(2, cin, 32, 32), 1);
                    }
                    case "projection" -> net = new Network(Encoders.projectionHead(Integer.parseInt(p[1]),
                            Integer.parseInt(p[2]), 128), manager.newSubManager(),
                            new Shape(2, Integer.parseInt(p[1])), 1);
                    default -> net = new Network(Encoders.denseHead(List.of(128, 64), 10), manager.newSubManager(),
                            new Shape(2, 256), 1);
                }
                assertThat(net.parameterCount()).as(e.getKey()).isEqualTo(expected);
                net.manager().close();
            }
        }
    }

    @Test
    void resnet18ForwardMatchesPyTorchWithTheSameWeights() {
        Map<String, Npy.Array> ref = Reference.npz("resnet18.npz");
        TreeMap<String, Npy.Array> weights = new TreeMap<>();
        ref.forEach((k, v) -> {
            if (k.startsWith("p")) {
                weights.put(k, v);
            }
        });
        try (NDManager manager = NDManager.newBaseManager()) {
            Encoders.Encoder enc = Encoders.build(EncoderFamily.RESNET, 18, 0.125, 3);
            Network net = new Network(enc.block(), manager, new Shape(4, 3, 32, 32), 7);
            List<float[]> values = new ArrayList<>();
            List<long[]> shapes = new ArrayList<>();
            weights.values().forEach(a -> {
                values.add(a.asFloats());
                shapes.add(java.util.Arrays.stream(a.shape()).asLongStream().toArray());
            });
            net.load(values, shapes);
            NDArray x = manager.create(ref.get("input").asFloats(), new Shape(4, 3, 32, 32));
            assertClose(net.forward(x, false).toFloatArray(), ref.get("out_eval").asFloats(), 1e-4);
            assertClose(net.forward(x, true).toFloatArray(), ref.get("out_train").asFloats(), 1e-4);
        }
    }

    @Test
    void buildersRefuseWhatTheyCannotBuild() {
        assertThatThrownBy(() -> Encoders.build(EncoderFamily.RESNET, 19, 1, 3)).hasMessageContaining("18, 34 or 50");
        assertThatThrownBy(() -> Encoders.build(EncoderFamily.VGG, 18, 1, 3)).hasMessageContaining("11 or 16");
        // an unknown family cannot reach the engine: it is not an EncoderFamily (the schema refuses it on the wire)
        assertThat(Wire.parse(EncoderFamily.class, "alexnet")).isEmpty();
        assertThatThrownBy(() -> Encoders.build(EncoderFamily.RESNET, 18, 0, 3)).hasMessageContaining("width");
        assertThatThrownBy(() -> Encoders.build(EncoderFamily.RESNET, 18, 1, 2)).hasMessageContaining("inChannels");
        assertThatThrownBy(() -> Encoders.projectionHead(64, 4, 128)).hasMessageContaining("2 or 3 layers");
    }

    static void assertClose(float[] actual, float[] expected, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst).as("largest absolute difference").isLessThanOrEqualTo(tolerance);
    }

    @org.junit.jupiter.api.Test
    void imagesTooSmallForAnEncoderAreRefusedWithTheSize() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Encoders.requireInputSize("student", EncoderFamily.VGG, 11, 8, 8))
                .hasMessage("student: vgg11 needs images of at least 16×16 pixels, the dataset has 8×8");
        Encoders.requireInputSize("student", EncoderFamily.VGG, 16, 16, 16);
        Encoders.requireInputSize("encoder", EncoderFamily.RESNET, 18, 8, 8);
    }
}
