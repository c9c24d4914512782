package dev.simclr.engine;

import dev.simclr.contracts.LrScaling;
import static dev.simclr.engine.EncodersTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.engine.optim.Adam;
import dev.simclr.engine.optim.Lars;
import dev.simclr.engine.optim.Optimizer;
import dev.simclr.engine.optim.Schedule;
import dev.simclr.engine.optim.Sgd;
import dev.simclr.engine.optim.Trainable;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Three steps of each optimiser on fixed gradients land where torch's (or the SimCLR LARS rule's) do. */
class OptimizersTest {
    static final JsonNode R = Reference.json().get("optimizers");

    @Test
    void sgdMatchesTorch() {
        check("sgd", m -> new Sgd(m, 0.9, false, 1e-4));
        check("sgdNesterov", m -> new Sgd(m, 0.9, true, 1e-4));
    }

    @Test
    void adamAndAdamWMatchTorch() {
        check("adam", m -> new Adam(m, 0.9, 0.999, 1e-8, 1e-4, false));
        check("adamw", m -> new Adam(m, 0.9, 0.999, 1e-8, 0.05, true));
    }

    @Test
    void larsExcludesBiasFromDecayAndTrustRatio() {
        check("lars", m -> new Lars(m, 0.9, 1e-4, 0.001));
    }

    /**
     * libtorch's grad mode is per thread and starts switched on in threads that did not start the engine (a
     * service's worker pool): the update must not depend on it.
     */
    @Test
    void updatesWhateverTheThreadsGradMode() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1, 2, 3});
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(w.mul(w).sum());
            }
            ai.djl.pytorch.jni.JniUtils.setGradMode(true);
            try {
                new Sgd(m, 0.0, false, 0).step(List.of(new Trainable("w", w, false)), 0.5);
                assertThat(ai.djl.pytorch.jni.JniUtils.isGradMode()).as("grad mode restored").isTrue();
            } finally {
                ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            }
            assertThat(w.toFloatArray()).containsExactly(0f, 0f, 0f); // w - 0.5 * 2w
        }
    }

    @Test
    void scheduleWarmsUpLinearlyThenDecaysByCosine() {
        Schedule s = Schedule.of(0.3, LrScaling.LINEAR, 512, 10, 110);
        assertThat(s.peak()).isCloseTo(0.6, within(1e-12));
        assertThat(s.at(0)).isCloseTo(0.06, within(1e-12));
        assertThat(s.at(9)).isCloseTo(0.6, within(1e-12));
        assertThat(s.at(60)).isCloseTo(0.3, within(1e-12));
        assertThat(s.at(110)).isCloseTo(0.0, within(1e-12));
        assertThat(Schedule.of(0.075, LrScaling.SQRT, 256, 0, 10).peak()).isCloseTo(1.2, within(1e-12));
    }

    private static void check(String name, Function<NDManager, Optimizer> make) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(Reference.floats(R.get("weight0")), new Shape(Reference.shape(R.get("weight0"))));
            NDArray b = m.create(Reference.floats(R.get("bias0")), new Shape(Reference.shape(R.get("bias0"))));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            List<Trainable> params = List.of(new Trainable("w", w, false), new Trainable("b", b, true));
            try (Optimizer opt = make.apply(m)) {
                for (JsonNode g : R.get("gradients")) {
                    NDArray gw = m.create(Reference.floats(g.get("weight")), w.getShape());
                    NDArray gb = m.create(Reference.floats(g.get("bias")), b.getShape());
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        // a loss whose gradient is exactly (gw, gb)
                        gc.backward(w.mul(gw).sum().add(b.mul(gb).sum()));
                    }
                    opt.step(params, R.get("lr").asDouble());
                }
                assertThat(opt.steps()).isEqualTo(3);
            }
            assertClose(w.toFloatArray(), Reference.floats(R.get(name).get("weight")), 1e-5);
            assertClose(b.toFloatArray(), Reference.floats(R.get(name).get("bias")), 1e-5);
        }
    }
}
