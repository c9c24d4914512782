package dev.simclr.engine;

import static dev.simclr.engine.EncodersTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.engine.loss.Losses;
import org.junit.jupiter.api.Test;

/** Values and gradients of the losses equal PyTorch's on fixed inputs, to 1e-5. */
class LossesTest {
    static final double TOL = 1e-5;

    @Test
    void ntXentAndItsGradientsMatchTorch() {
        JsonNode r = Reference.json().get("ntxent");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z1 = m.create(Reference.floats(r.get("z1")), new Shape(Reference.shape(r.get("z1"))));
            NDArray z2 = m.create(Reference.floats(r.get("z2")), new Shape(Reference.shape(r.get("z2"))));
            z1.setRequiresGradient(true);
            z2.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = Losses.ntXent(z1, z2, r.get("temperature").asDouble());
                assertThat((double) loss.getFloat()).isCloseTo(r.get("loss").asDouble(),
                        org.assertj.core.data.Offset.offset(TOL));
                gc.backward(loss);
            }
            assertClose(z1.getGradient().toFloatArray(), Reference.floats(r.get("gradZ1")), TOL);
            assertClose(z2.getGradient().toFloatArray(), Reference.floats(r.get("gradZ2")), TOL);
        }
    }

    @Test
    void distillationLossAndGradientMatchTorchForEveryMix() {
        JsonNode r = Reference.json().get("distillation");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray teacher = m.create(Reference.floats(r.get("teacher")), new Shape(Reference.shape(r.get("teacher"))));
            long[] labelValues = new long[r.get("labels").size()];
            for (int i = 0; i < labelValues.length; i++) {
                labelValues[i] = r.get("labels").get(i).asLong();
            }
            NDArray labels = m.create(labelValues);
            for (JsonNode c : r.get("cases")) {
                NDArray student = m.create(Reference.floats(r.get("student")),
                        new Shape(Reference.shape(r.get("student"))));
                student.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = Losses.distillation(student, teacher, labels, c.get("temperature").asDouble(),
                            c.get("alpha").asDouble());
                    assertThat((double) loss.getFloat()).as("T=%s alpha=%s", c.get("temperature"), c.get("alpha"))
                            .isCloseTo(c.get("loss").asDouble(), org.assertj.core.data.Offset.offset(TOL));
                    gc.backward(loss);
                }
                assertClose(student.getGradient().toFloatArray(), Reference.floats(c.get("gradStudent")), TOL);
            }
        }
    }

    /**
     * A garbage collection between forward and backward leaves the gradients right. DJL's {@code array.op(Number)}
     * wraps the number in a tensor over a Java direct buffer and closes it after the op; an op that keeps the number
     * for its backward (mul, div, maximum) then reads that buffer after the GC may have freed it (the gradient came
     * out scaled by garbage in a fresh surefire JVM). The collection is forced here, so this fails on every run if a
     * loss goes back to {@code op(Number)} on the graph.
     */
    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws InterruptedException {
        JsonNode r = Reference.json().get("ntxent");
        JsonNode d = Reference.json().get("distillation");
        JsonNode mix = d.get("cases").get(1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z1 = m.create(Reference.floats(r.get("z1")), new Shape(Reference.shape(r.get("z1"))));
            NDArray z2 = m.create(Reference.floats(r.get("z2")), new Shape(Reference.shape(r.get("z2"))));
            NDArray student = m.create(Reference.floats(d.get("student")), new Shape(Reference.shape(d.get("student"))));
            NDArray teacher = m.create(Reference.floats(d.get("teacher")), new Shape(Reference.shape(d.get("teacher"))));
            long[] labelValues = new long[d.get("labels").size()];
            for (int i = 0; i < labelValues.length; i++) {
                labelValues[i] = d.get("labels").get(i).asLong();
            }
            NDArray labels = m.create(labelValues);
            z1.setRequiresGradient(true);
            z2.setRequiresGradient(true);
            student.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray ntXent = Losses.ntXent(z1, z2, r.get("temperature").asDouble());
                NDArray distillation = Losses.distillation(student, teacher, labels,
                        mix.get("temperature").asDouble(), mix.get("alpha").asDouble());
                // the freed direct buffers' memory is overwritten by the allocator's free-list links
                for (int i = 0; i < 3; i++) {
                    System.gc();
                    Thread.sleep(100);
                }
                gc.backward(ntXent.add(distillation));
            }
            assertClose(z1.getGradient().toFloatArray(), Reference.floats(r.get("gradZ1")), TOL);
            assertClose(z2.getGradient().toFloatArray(), Reference.floats(r.get("gradZ2")), TOL);
            assertClose(student.getGradient().toFloatArray(), Reference.floats(mix.get("gradStudent")), TOL);
        }
    }
}
