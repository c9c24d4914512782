package dev.simclr.bench;

import dev.simclr.core.augment.AugmentPolicy;
import dev.simclr.core.image.ImageOps;
import dev.simclr.core.augment.ViewRandom;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@code ./simclr bench kernels}: JMH, one 32×32×3 image, each augmentation kernel and a whole SimCLR view. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AugmentKernels {
    private byte[] image;
    private byte[] work;
    private final AugmentPolicy simclr = AugmentPolicy.parse("simclr strength=0.8");
    private long view;

    @Setup
    public void setUp() {
        image = new byte[32 * 32 * 3];
        new SplittableRandom(0).nextBytes(image);
        work = image.clone();
    }

    @Benchmark
    public byte[] resizedCrop() {
        return ImageOps.resizedCrop(image, 0, 32, 32, 3, 5, 3, 17, 21, 32, 32);
    }

    @Benchmark
    public byte[] brightnessContrastSaturation() {
        System.arraycopy(image, 0, work, 0, work.length);
        ImageOps.brightness(work, 1.3);
        ImageOps.contrast(work, 3, 0.7);
        ImageOps.saturation(work, 3, 1.4);
        return work;
    }

    @Benchmark
    public byte[] hue() {
        System.arraycopy(image, 0, work, 0, work.length);
        ImageOps.hue(work, 3, 0.13);
        return work;
    }

    /** All four adjustments of the colour jitter in one of their orders, as a view applies them. */
    @Benchmark
    public byte[] colorJitter() {
        System.arraycopy(image, 0, work, 0, work.length);
        ImageOps.colorJitter(work, 3, ORDER, 1.3, 0.7, 1.4, 0.13);
        return work;
    }

    private static final int[] ORDER = {2, 3, 0, 1};

    @Benchmark
    public byte[] blur() {
        System.arraycopy(image, 0, work, 0, work.length);
        ImageOps.gaussianBlur(work, 32, 32, 3, 3, 1.2f);
        return work;
    }

    @Benchmark
    public byte[] simclrView() {
        return simclr.apply(image, 0, 32, 32, 3, ViewRandom.of(1, 2, 3, 0, (int) view++));
    }
}
