package dev.simclr.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.Locale;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A block with its parameters initialised on {@code manager} from our own seeded generator (not DJL's global one,
 * so two trainings in one JVM are each deterministic), run without a DJL Trainer: the engine owns the optimiser
 * and its state, which DJL would not save.
 */
public final class Network {
    private final Block block;
    private final NDManager manager;
    private final ParameterStore store;
    private final boolean channelsLast;

    public Network(Block block, NDManager manager, Shape inputShape, long seed) {
        this(block, false, manager, inputShape, seed);
    }

    /** An encoder's network; it takes its images in the layout {@link Encoders.Encoder#channelsLast} says. */
    public Network(Encoders.Encoder encoder, NDManager manager, Shape inputShape, long seed) {
        this(encoder.block(), encoder.channelsLast(), manager, inputShape, seed);
    }

    private Network(Block block, boolean channelsLast, NDManager manager, Shape inputShape, long seed) {
        this.block = block;
        this.channelsLast = channelsLast;
        this.manager = manager;
        this.store = new ParameterStore(manager, false);
        block.initialize(manager, DataType.FLOAT32, inputShape);
        // libtorch's convolution gradients are right here for these channel counts, or oneDNN is not used
        ConvCheck.admit(block.getParameters().values().stream().map(Parameter::getArray)
                .filter(w -> w.getShape().dimension() == 4).mapToLong(w -> w.getShape().get(0)).toArray());
        initialise(seed);
    }

    public Block block() {
        return block;
    }

    public NDManager manager() {
        return manager;
    }

    /** Whether this network's image input is made channels-last ({@code Normalization.toTensor}). */
    public boolean channelsLast() {
        return channelsLast;
    }

    public NDArray forward(NDArray input, boolean training) {
        return block.forward(store, new NDList(input), training).singletonOrThrow();
    }

    /** Parameters in their fixed order (the export and checkpoint order), with their names. */
    public List<Pair<String, Parameter>> parameters() {
        List<Pair<String, Parameter>> out = new ArrayList<>();
        block.getParameters().forEach(out::add);
        return out;
    }

    public long parameterCount() {
        long n = 0;
        for (Pair<String, Parameter> p : parameters()) {
            if (p.getValue().requiresGradient() || isTrainableType(p.getValue().getType())) {
                n += p.getValue().getArray().size();
            }
        }
        return n;
    }

    /** Freezes or unfreezes the trainable tensors; running statistics never take a gradient. */
    public void freeze(boolean frozen) {
        for (Pair<String, Parameter> p : parameters()) {
            if (isTrainableType(p.getValue().getType())) {
                p.getValue().freeze(frozen);
            }
        }
    }

    /** Every tensor (trainable or running statistic) as little-endian float32 bytes, in parameter order. */
    public Map<String, float[]> state() {
        Map<String, float[]> out = new LinkedHashMap<>();
        List<Pair<String, Parameter>> params = parameters();
        for (int i = 0; i < params.size(); i++) {
            out.put(key(i, params.get(i).getKey()), params.get(i).getValue().getArray().toFloatArray());
        }
        return out;
    }

    /** Loads tensors by position; every shape must match (the same rule as the PyTorch loader). */
    public void load(List<float[]> values, List<long[]> shapes) {
        List<Pair<String, Parameter>> params = parameters();
        if (values.size() != params.size()) {
            throw new IllegalArgumentException("state has " + values.size() + " tensors, network has "
                    + params.size());
        }
        for (int i = 0; i < params.size(); i++) {
            NDArray target = params.get(i).getValue().getArray();
            if (!new Shape(shapes.get(i)).equals(target.getShape())) {
                throw new IllegalArgumentException("tensor " + i + " (" + params.get(i).getKey() + ") has shape "
                        + new Shape(shapes.get(i)) + ", the network needs " + target.getShape());
            }
            target.set(values.get(i));
        }
    }

    public static String key(int index, String name) {
        return String.format(Locale.ROOT, "p%04d_%s", index, name);
    }

    private static boolean isTrainableType(Parameter.Type type) {
        return type == Parameter.Type.WEIGHT || type == Parameter.Type.BIAS || type == Parameter.Type.GAMMA
                || type == Parameter.Type.BETA;
    }

    /**
     * Kaiming-normal (fan out) for convolutions as torchvision's ResNet, torch's uniform(±1/√fan_in) for linear
     * layers, zero biases, batch norm γ=1, β=0, running mean 0 and variance 1; one split of the seed per tensor.
     */
    private void initialise(long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        for (Pair<String, Parameter> p : parameters()) {
            SplittableRandom random = root.split();
            NDArray array = p.getValue().getArray();
            long[] shape = array.getShape().getShape();
            float[] values = new float[(int) array.size()];
            switch (p.getValue().getType()) {
                case WEIGHT -> {
                    if (shape.length == 4) {
                        double std = Math.sqrt(2.0 / (shape[0] * shape[2] * shape[3]));
                        for (int i = 0; i < values.length; i++) {
                            values[i] = (float) (random.nextGaussian() * std);
                        }
                    } else {
                        double bound = 1.0 / Math.sqrt(shape[shape.length - 1]);
                        for (int i = 0; i < values.length; i++) {
                            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
                        }
                    }
                }
                case GAMMA, RUNNING_VAR -> java.util.Arrays.fill(values, 1f);
                default -> { }
            }
            array.set(values);
        }
    }
}
