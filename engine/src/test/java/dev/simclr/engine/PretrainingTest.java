package dev.simclr.engine;

import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.EncoderFamily;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.engine.train.LoopSettings;
import dev.simclr.engine.train.Normalization;
import dev.simclr.engine.train.Pretraining;
import dev.simclr.core.run.Progress;
import dev.simclr.engine.train.RunListener;
import dev.simclr.core.augment.ViewSupplier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** SimCLR pretraining on tiny synthetic data: it learns, it is deterministic, and it resumes to the same bits. */
public class PretrainingTest {
    static final Pretraining.Spec SPEC = new Pretraining.Spec(EncoderFamily.RESNET, 18, 0.125, 2, 0.5);
    static final LoopSettings SETTINGS = new LoopSettings(16, 3, 7, OptimizerName.SGD, 0.1, 0.9, 1e-4, true, 1, LrScaling.NONE, 0);

    /** 64 images of 8×8: four classes of bar patterns at random brightness. */
    public static LabelledImages images() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 64;
        byte[] px = new byte[n * 64];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % 4;
            labels[i] = c;
            int level = 120 + r.nextInt(130);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    boolean on = switch (c) {
                        case 0 -> y < 4;
                        case 1 -> x < 4;
                        case 2 -> (x + y) % 2 == 0;
                        default -> x == y || x == 7 - y;
                    };
                    px[i * 64 + y * 8 + x] = (byte) (on ? level : r.nextInt(40));
                }
            }
        }
        return new LabelledImages(8, 8, 1, px, labels);
    }

    /** Views: the image with seeded pixel noise and a random horizontal flip; a pure function of its inputs. */
    static ViewSupplier noisyViews(LabelledImages images, long seed) {
        return (epoch, step, indices) -> {
            byte[][] views = new byte[2][indices.length * 64];
            for (int v = 0; v < 2; v++) {
                for (int i = 0; i < indices.length; i++) {
                    SplittableRandom r = new SplittableRandom(seed * 31 + indices[i] * 1009L + epoch * 7919L + v);
                    boolean flip = r.nextBoolean();
                    for (int y = 0; y < 8; y++) {
                        for (int x = 0; x < 8; x++) {
                            int src = Byte.toUnsignedInt(images.pixels()[indices[i] * 64 + y * 8 + (flip ? 7 - x : x)]);
                            views[v][i * 64 + y * 8 + x] = (byte) Math.max(0, Math.min(255, src + r.nextInt(61) - 30));
                        }
                    }
                }
            }
            return views;
        };
    }

    static Pretraining loop(LoopSettings settings, NDManager m) {
        LabelledImages images = images();
        return new Pretraining(settings, SPEC, images, Normalization.of(images.pixels(), 1),
                noisyViews(images, settings.seed()), new Pretraining.Monitor(images, images, 4, 1), m);
    }

    @Test
    void lossFallsAndTheKnnMonitorReports() {
        List<Progress> seen = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager(); Pretraining p = loop(SETTINGS.withEpochs(6), m)) {
            assertThat(p.run(new RunListener() {
                @Override
                public void progress(Progress progress) {
                    seen.add(progress);
                }
            })).isTrue();
            List<Progress> steps = seen.stream().filter(s -> s.knnAccuracy() == null).toList();
            assertThat(steps).hasSize(24);
            double first = steps.subList(0, 4).stream().mapToDouble(Progress::loss).average().orElseThrow();
            double last = steps.subList(20, 24).stream().mapToDouble(Progress::loss).average().orElseThrow();
            assertThat(last).as("mean loss of the last epoch vs the first").isLessThan(first * 0.9);
            assertThat(seen.stream().filter(s -> s.knnAccuracy() != null)).hasSize(6);
            assertThat(p.lastKnnAccuracy()).isBetween(0.0, 1.0);
            assertThat(steps.get(0).learningRate()).isEqualTo(0.1 / 4, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void oneSeedGivesTheSameRunAndAnotherSeedAnother() {
        try (NDManager m = NDManager.newBaseManager()) {
            byte[] a = trained(SETTINGS, m);
            byte[] b = trained(SETTINGS, m);
            assertThat(sha(a)).isEqualTo(sha(b));
            LoopSettings other = new LoopSettings(16, 3, 8, OptimizerName.SGD, 0.1, 0.9, 1e-4, true, 1, LrScaling.NONE, 0);
            assertThat(sha(trained(other, m))).isNotEqualTo(sha(a));
        }
    }

    @Test
    void checkpointRoundTripIsBitExactAndAResumedRunEndsOnTheSameBits() {
        try (NDManager m = NDManager.newBaseManager()) {
            byte[] straight = trained(SETTINGS, m);

            byte[][] saved = new byte[1][];
            try (Pretraining first = loop(SETTINGS, m)) {
                boolean finished = first.run(new RunListener() {
                    int steps;

                    @Override
                    public void progress(Progress p) {
                        if (p.knnAccuracy() == null) {
                            steps++;
                        }
                    }

                    @Override
                    public void checkpoint(long step, byte[] checkpoint) {
                        saved[0] = checkpoint;
                    }

                    @Override
                    public boolean stopRequested() {
                        return steps == 6; // mid-epoch 2
                    }
                });
                assertThat(finished).isFalse();
                assertThat(first.step()).isEqualTo(6);
            }
            try (Pretraining resumed = loop(SETTINGS, m)) {
                resumed.restore(Checkpoint.fromBytes(saved[0]));
                assertThat(sha(resumed.checkpoint().toBytes())).as("save -> load -> save").isEqualTo(sha(saved[0]));
                assertThat(resumed.run(RunListener.NONE)).isTrue();
                assertThat(sha(resumed.checkpoint().toBytes())).as("resumed vs uninterrupted").isEqualTo(sha(straight));
            }
        }
    }

    @Test
    void aCheckpointOfOtherSettingsIsRefused() {
        try (NDManager m = NDManager.newBaseManager(); Pretraining p = loop(SETTINGS, m)) {
            byte[] other = trained(SETTINGS.withEpochs(1), m);
            assertThatThrownBy(() -> p.restore(Checkpoint.fromBytes(other))).hasMessageContaining("checkpoint was made");
            assertThatThrownBy(() -> Checkpoint.fromBytes(new byte[] {1, 2})).hasMessageContaining("not a checkpoint");
        }
    }

    static String sha(byte[] bytes) {
        return dev.simclr.core.store.Sha256.hex(bytes);
    }

    private static byte[] trained(LoopSettings settings, NDManager m) {
        try (Pretraining p = loop(settings, m)) {
            p.run(RunListener.NONE);
            return p.checkpoint().toBytes();
        }
    }
}
