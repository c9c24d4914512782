package dev.simclr.bench;

import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.EncoderFamily;
import ai.djl.ndarray.NDManager;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.train.LoopSettings;
import dev.simclr.engine.train.Normalization;
import dev.simclr.engine.train.Pretraining;
import dev.simclr.core.run.Progress;
import dev.simclr.engine.train.RunListener;
import dev.simclr.core.augment.ViewSupplier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Native memory flatness of SimCLR pretraining through the real engine ({@link Pretraining} / TrainingLoop):
 * CIFAR ResNet-18 width 0.25, batch 32, 28x28x1 random uint8 images, SGD; prints VmRSS every 100 steps and the
 * growth from step 100 to the last step. usage: MemoryFootprint [steps=1000] [batch=32] [width=0.25]
 */
public final class MemoryFootprint {
    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        double width = args.length > 2 ? Double.parseDouble(args[2]) : 0.25;
        int h = 28;
        int w = 28;
        int n = steps * batch; // one epoch of exactly `steps` steps: no epoch-end checkpoint until the very end
        byte[] px = new byte[n * h * w];
        new SplittableRandom(1).nextBytes(px);
        LabelledImages images = new LabelledImages(h, w, 1, px, new long[n]);
        int imageBytes = h * w;
        // two views: the image and its pixel-wise complement (cheap, deterministic, not the same)
        ViewSupplier views = (epoch, step, indices) -> {
            byte[][] v = new byte[2][indices.length * imageBytes];
            for (int i = 0; i < indices.length; i++) {
                System.arraycopy(px, indices[i] * imageBytes, v[0], i * imageBytes, imageBytes);
                for (int j = 0; j < imageBytes; j++) {
                    v[1][i * imageBytes + j] = (byte) ~px[indices[i] * imageBytes + j];
                }
            }
            return v;
        };
        LoopSettings settings = new LoopSettings(batch, 1, 7, OptimizerName.SGD, 0.1, 0.9, 1e-6, false, 0, LrScaling.NONE, 0);
        Pretraining.Spec spec = new Pretraining.Spec(EncoderFamily.RESNET, 18, width, 2, 0.5);
        long[] rssAt = {-1, -1}; // at step 100 and at the last step (before the end-of-run checkpoint)
        long t0 = System.nanoTime();
        System.out.printf("step %5d rss_mb %8.1f%n", 0, rssKb() / 1024.0);
        try (NDManager m = NDManager.newBaseManager();
             Pretraining p = new Pretraining(settings, spec, images, Normalization.of(px, 1), views, null, m)) {
            p.run(new RunListener() {
                @Override
                public void progress(Progress pr) {
                    if (pr.knnAccuracy() == null && pr.step() % 100 == 0) {
                        long rss = rssKb();
                        if (pr.step() == 100) {
                            rssAt[0] = rss;
                        }
                        if (pr.step() == steps) {
                            rssAt[1] = rss;
                        }
                        Runtime rt = Runtime.getRuntime();
                        System.out.printf("step %5d rss_mb %8.1f java_heap_committed_mb %6.1f loss %.4f elapsed_s %.1f%n",
                                pr.step(), rss / 1024.0, rt.totalMemory() / 1048576.0, pr.loss(),
                                (System.nanoTime() - t0) / 1e9);
                    }
                }
            });
            System.out.printf("rss growth step 100 -> %d: %+.1f MB (%.1f -> %.1f MB)%n", steps,
                    (rssAt[1] - rssAt[0]) / 1024.0, rssAt[0] / 1024.0, rssAt[1] / 1024.0);
        }
    }

    static long rssKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return -1;
    }
}
