package dev.simclr.engine.model;

import dev.simclr.contracts.EncoderFamily;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.List;
import java.util.Map;

/**
 * Builders of the platform's networks. The parameter order and shapes match the PyTorch mirrors in
 * {@code python/simclr_torch.py} exactly (a test compares parameter counts and forward outputs), which is what
 * lets a trained encoder be exported to PyTorch by position.
 *
 * <ul>
 *   <li>ResNet, CIFAR style: 3×3 stem, no max-pool; depth 18/34 (basic blocks) or 50 (bottleneck).</li>
 *   <li>VGG 11/16 with batch norm; 2×2 max-pool after every stage but the last, then global average pool (so
 *   28×28 inputs work).</li>
 * </ul>
 * Channels are {@code max(1, floor(base × width))}.
 */
public final class Encoders {
    /**
     * An encoder network, the size of the feature vector it produces, and whether it takes its input channels-last
     * ({@link #channelsLast(double)}).
     */
    public record Encoder(Block block, int featureDim, boolean channelsLast) {}

    /**
     * Whether an encoder of this width runs channels-last (N×C×H×W with NHWC strides: every convolution, batch norm
     * and activation then stays in oneDNN's NHWC layout, with no reorder to and from its blocked layout around each
     * convolution, and the strided backward-data kernels that libtorch 2.7.1 runs in NHWC anyway need no conversion).
     * Only from 16 channels in the first stage: below that, a 1×1 stride-2 convolution would get fewer input
     * channels than an AVX-512 vector and oneDNN's channels-last backward-weights kernel writes out of bounds or
     * computes wrong gradients (oneDNN issue 6035; {@code NarrowGradientsTest} checks both sides of the line).
     * The same arithmetic in another order: results agree with the contiguous layout to float rounding.
     */
    public static boolean channelsLast(double width) {
        return channels(64, width) >= 16;
    }

    private static final Map<Integer, int[]> RESNET_BLOCKS = Map.of(
            18, new int[] {2, 2, 2, 2}, 34, new int[] {3, 4, 6, 3}, 50, new int[] {3, 4, 6, 3});
    private static final Map<Integer, int[][]> VGG_STAGES = Map.of(
            11, new int[][] {{64}, {128}, {256, 256}, {512, 512}, {512, 512}},
            16, new int[][] {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}});

    private Encoders() {}

    /** Validates the spec and builds the encoder; the message of a refusal says what is allowed. */
    public static Encoder build(EncoderFamily family, int depth, double width, int inChannels) {
        if (inChannels != 1 && inChannels != 3) {
            throw new IllegalArgumentException("inChannels must be 1 or 3, got " + inChannels);
        }
        if (!(width > 0 && width <= 8)) {
            throw new IllegalArgumentException("width must be in (0, 8], got " + width);
        }
        return switch (family) {
            case RESNET -> {
                if (!RESNET_BLOCKS.containsKey(depth)) {
                    throw new IllegalArgumentException("resnet depth must be 18, 34 or 50, got " + depth);
                }
                yield resnet(depth, width);
            }
            case VGG -> {
                if (!VGG_STAGES.containsKey(depth)) {
                    throw new IllegalArgumentException("vgg depth must be 11 or 16, got " + depth);
                }
                yield vgg(depth, width);
            }
        };
    }

    /**
     * The smallest image side the encoder takes: VGG halves the side after every stage but the last, so it needs
     * 2^(stages-1) pixels (16 for 5 stages); the CIFAR ResNets downsample 8× and take anything.
     */
    public static int minInputSide(EncoderFamily family, int depth) {
        return family == EncoderFamily.VGG ? 1 << (VGG_STAGES.get(depth).length - 1) : 1;
    }

    /** A clear error for images too small for the encoder, instead of libtorch's. */
    public static void requireInputSize(String field, EncoderFamily family, int depth, int height, int width) {
        int min = minInputSide(family, depth);
        if (height < min || width < min) {
            throw new IllegalArgumentException(field + ": " + family + depth + " needs images of at least " + min + "×"
                    + min + " pixels, the dataset has " + height + "×" + width);
        }
    }

    static int channels(int base, double width) {
        return Math.max(1, (int) Math.floor(base * width));
    }

    private static Encoder resnet(int depth, double width) {
        boolean bottleneck = depth == 50;
        int expansion = bottleneck ? 4 : 1;
        int c = channels(64, width);
        SequentialBlock net = new SequentialBlock().add(conv(c, 3, 1)).add(bn()).add(Activation.reluBlock());
        int in = c;
        int[] counts = RESNET_BLOCKS.get(depth);
        for (int stage = 0; stage < 4; stage++) {
            int planes = channels(64 << stage, width);
            for (int i = 0; i < counts[stage]; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                net.add(bottleneck ? bottleneckBlock(in, planes, stride) : basicBlock(in, planes, stride));
                in = planes * expansion;
            }
        }
        net.add(Pool.globalAvgPool2dBlock());
        return new Encoder(net, in, channelsLast(width));
    }

    private static Block basicBlock(int in, int out, int stride) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(out, 3, stride)).add(bn()).add(Activation.reluBlock())
                .add(conv(out, 3, 1)).add(bn());
        return residual(main, in, out, stride);
    }

    private static Block bottleneckBlock(int in, int planes, int stride) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(planes, 1, 1)).add(bn()).add(Activation.reluBlock())
                .add(conv(planes, 3, stride)).add(bn()).add(Activation.reluBlock())
                .add(conv(planes * 4, 1, 1)).add(bn());
        return residual(main, in, planes * 4, stride);
    }

    private static Block residual(Block main, int in, int out, int stride) {
        Block shortcut = stride == 1 && in == out ? Blocks.identityBlock()
                : new SequentialBlock().add(conv(out, 1, stride)).add(bn());
        return new SequentialBlock()
                .add(new ParallelBlock(list -> new NDList(
                        list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())), List.of(main, shortcut)))
                .add(Activation.reluBlock());
    }

    private static Encoder vgg(int depth, double width) {
        SequentialBlock net = new SequentialBlock();
        int[][] stages = VGG_STAGES.get(depth);
        int c = 0;
        for (int s = 0; s < stages.length; s++) {
            for (int base : stages[s]) {
                c = channels(base, width);
                net.add(conv(c, 3, 1)).add(bn()).add(Activation.reluBlock());
            }
            if (s < stages.length - 1) {
                net.add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
            }
        }
        net.add(Pool.globalAvgPool2dBlock());
        return new Encoder(net, c, channelsLast(width));
    }

    /** SimCLR's projection: (layers - 1) × [Linear without bias, BatchNorm, ReLU], then Linear(outDim). */
    public static Block projectionHead(int dim, int layers, int outDim) {
        if (layers < 2 || layers > 3) {
            throw new IllegalArgumentException("projection head has 2 or 3 layers, got " + layers);
        }
        SequentialBlock head = new SequentialBlock();
        for (int i = 0; i < layers - 1; i++) {
            head.add(Linear.builder().setUnits(dim).optBias(false).build()).add(bn()).add(Activation.reluBlock());
        }
        return head.add(Linear.builder().setUnits(outDim).build());
    }

    /** A linear classifier. */
    public static Block linear(int classes) {
        return Linear.builder().setUnits(classes).build();
    }

    /** The frozen-base student's head: [Linear, ReLU] per hidden size, then Linear(classes). */
    public static Block denseHead(List<Integer> hidden, int classes) {
        SequentialBlock head = new SequentialBlock();
        for (int h : hidden) {
            if (h <= 0) {
                throw new IllegalArgumentException("dense layer sizes must be positive, got " + hidden);
            }
            head.add(Linear.builder().setUnits(h).build()).add(Activation.reluBlock());
        }
        return head.add(Linear.builder().setUnits(classes).build());
    }

    private static Block conv(int filters, int kernel, int stride) {
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2)).setFilters(filters).optBias(false).build();
    }

    /** torch's BatchNorm defaults: eps 1e-5, running statistics updated with 0.1 of the batch's (DJL: 0.9 kept). */
    private static Block bn() {
        return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
    }
}
