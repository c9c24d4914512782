package dev.simclr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.engine.model.Encoders;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.train.Normalization;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One training-mode step of narrow and wider ResNet-18s gives every weight gradient PyTorch computes in float64 for
 * the same weights and pixels — through the engine's own input path ({@link Normalization#toTensor}, in the layout
 * the network runs), on whatever instruction set this machine and {@code ONEDNN_MAX_CPU_ISA} give libtorch. Widths
 * 0.0625 and 0.125 (downsampling 1×1 convolutions with 4 and 8 input channels, where oneDNN's vectorised
 * backward-weights kernels have written out of bounds or computed wrong gradients) run contiguous N×C×H×W; widths
 * 0.25 and 0.5 run channels-last ({@link dev.simclr.engine.model.Encoders#channelsLast}), so both sides of that
 * line are checked. Reference: {@code make_engine_reference.py}, part 6.
 */
class NarrowGradientsTest {

    @Test
    void weightGradientsOfNarrowResNetsMatchPyTorch() {
        JsonNode ref = Reference.json().path("narrowGradients");
        int batch = ref.path("batch").asInt();
        int side = ref.path("side").asInt();
        List<String> checked = new ArrayList<>();
        List<JsonNode> cases = new ArrayList<>();
        ref.path("cases").forEach(cases::add);
        // the widest first: whole blocks of 16 channels keep oneDNN where ConvCheck found only narrow ones wrong, and
        // the first narrow network moves this process off it — both paths are then checked
        cases.sort(java.util.Comparator.comparingDouble((JsonNode c) -> c.path("width").asDouble()).reversed());
        for (JsonNode c : cases) {
            double width = c.path("width").asDouble();
            int cin = c.path("inChannels").asInt();
            try (NDManager manager = NDManager.newBaseManager()) {
                Encoders.Encoder enc = Encoders.build(EncoderFamily.RESNET, 18, width, cin);
                Network net = new Network(enc, manager, new Shape(batch, cin, side, side), 1);
                String label = "ResNet-18 ×" + width + ", " + cin + " channel(s), on "
                        + dev.simclr.engine.model.ConvCheck.outcome();
                System.out.println(label);
                assertThat(net.channelsLast()).as(label + " runs channels-last").isEqualTo(width >= 0.25);
                List<Pair<String, Parameter>> params = net.parameters();
                assertThat(params).as(label).hasSize(c.path("tensors").asInt());
                List<float[]> values = new ArrayList<>();
                List<long[]> shapes = new ArrayList<>();
                for (int i = 0; i < params.size(); i++) {
                    Shape shape = params.get(i).getValue().getArray().getShape();
                    values.add(formulaTensor(i, shape));
                    shapes.add(shape.getShape());
                }
                net.load(values, shapes);
                Normalization norm = new Normalization(filled(cin, (float) ref.path("mean").asDouble()),
                        filled(cin, (float) ref.path("std").asDouble()));
                NDArray x = norm.toTensor(manager, formulaPixels(batch * side * side * cin), batch, side, side, cin,
                        net.channelsLast());
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = net.forward(x, true);
                    float[] r = new float[(int) out.size()];
                    for (int j = 0; j < r.length; j++) {
                        r[j] = (float) Math.sin(0.3 * j);
                    }
                    gc.backward(out.mul(manager.create(r, out.getShape())).sum());
                }
                for (JsonNode g : c.path("gradients")) {
                    int index = g.path("index").asInt();
                    String what = label + ", tensor " + index + " (" + g.path("name").asText() + ")";
                    float[] grad = params.get(index).getValue().getArray().getGradient().toFloatArray();
                    double norm2 = 0;
                    for (float v : grad) {
                        norm2 += (double) v * v;
                    }
                    double expectedNorm = g.path("norm").asDouble();
                    assertThat(Math.sqrt(norm2)).as(what + ": gradient norm")
                            .isCloseTo(expectedNorm, org.assertj.core.data.Offset.offset(1e-3 * expectedNorm + 1e-6));
                    for (int k = 0; k < g.path("positions").size(); k++) {
                        int pos = g.path("positions").get(k).asInt();
                        assertThat((double) grad[pos]).as(what + ": entry " + pos)
                                .isCloseTo(g.path("values").get(k).asDouble(),
                                        org.assertj.core.data.Offset.offset(1e-3 * expectedNorm + 1e-6));
                    }
                    checked.add(what);
                }
            }
        }
        assertThat(checked).hasSizeGreaterThan(6 * 20); // every trainable tensor of the six networks
    }

    /** The same formula as the reference script: a sine wave, scaled by 1/√fan-in for weights, 1 ± 0.2 in rank 1. */
    static float[] formulaTensor(int i, Shape shape) {
        int n = (int) shape.size();
        float[] v = new float[n];
        boolean rank1 = shape.dimension() == 1;
        double scale = rank1 ? 1 : 1 / Math.sqrt((double) n / shape.get(0));
        for (int j = 0; j < n; j++) {
            double wave = Math.sin(0.7 * j + 1.3 * i);
            v[j] = (float) (rank1 ? 1 + 0.2 * wave : wave * scale);
        }
        return v;
    }

    static byte[] formulaPixels(int n) {
        byte[] px = new byte[n];
        for (long j = 0; j < n; j++) {
            px[(int) j] = (byte) (((j * 2654435761L) >> 13) & 255);
        }
        return px;
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }
}
