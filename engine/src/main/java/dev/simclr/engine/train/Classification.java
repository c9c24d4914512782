package dev.simclr.engine.train;

import dev.simclr.contracts.EncoderFamily;

import dev.simclr.core.augment.ViewSupplier;
import dev.simclr.core.run.Checkpoint;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.loss.Losses;
import dev.simclr.engine.model.Encoders;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.precision.Autocast;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Supervised training of encoder + classifier head: fine-tuning a pretrained encoder with a new linear head, or
 * (frozen) a head over a fixed encoder. A frozen encoder runs in eval mode (its batch norm keeps its statistics)
 * and gets no gradient. Inputs are one view per image from the {@link ViewSupplier} (the fine-tuning policy), or
 * the images themselves when there is none.
 */
public final class Classification extends TrainingLoop {
    /** Encoder, the head's hidden layers (empty: linear head), whether the encoder is frozen, classes. */
    public record Spec(EncoderFamily family, int depth, double width, java.util.List<Integer> hidden, boolean freezeEncoder,
                       int classes) {}

    private final Spec spec;
    private final LabelledImages images;
    private final Normalization norm;
    private final ViewSupplier views;
    private final Network encoder;
    private final Network head;
    private final int featureDim;
    private LabelledImages validation;
    private BestEpoch best;

    public Classification(LoopSettings settings, Spec spec, LabelledImages images, Normalization norm,
                          ViewSupplier views, NDManager parent) {
        super(settings, images.count(), parent);
        this.spec = spec;
        this.images = images;
        this.norm = norm;
        this.views = views;
        Encoders.Encoder enc = Encoders.build(spec.family(), spec.depth(), spec.width(), images.channels());
        this.featureDim = enc.featureDim();
        this.encoder = new Network(enc, manager.newSubManager(),
                new Shape(2, images.channels(), images.height(), images.width()), settings.seed());
        Block headBlock = spec.hidden().isEmpty() ? Encoders.linear(spec.classes())
                : Encoders.denseHead(spec.hidden(), spec.classes());
        this.head = new Network(headBlock, manager.newSubManager(), new Shape(2, featureDim), settings.seed() + 2);
        encoder.freeze(spec.freezeEncoder());
    }

    /** Loads the encoder from a pretraining (or fine-tuning) checkpoint; the head stays freshly initialised. */
    public void loadEncoder(Checkpoint pretrained) {
        loadNetwork(encoder, pretrained.network("encoder"), "encoder");
        encoder.freeze(spec.freezeEncoder());
    }

    /**
     * Trains to the best epoch on {@code validation} within the settings' epochs (now a cap), stopping after
     * {@code patienceEpochs} without a better one ({@link BestEpoch}); without it, every epoch is trained and the
     * last one kept.
     */
    public Classification selectOn(LabelledImages validation, int patienceEpochs) {
        this.validation = validation;
        this.best = new BestEpoch(patienceEpochs);
        return this;
    }

    /** The choice of epoch, or null when this loop keeps its last epoch. */
    public BestEpoch selection() {
        return best;
    }

    public Network encoder() {
        return encoder;
    }

    public Network head() {
        return head;
    }

    @Override
    protected Map<String, Network> networks() {
        Map<String, Network> nets = new LinkedHashMap<>();
        nets.put("encoder", encoder);
        nets.put("classifier", head);
        return nets;
    }

    @Override
    protected NDArray loss(int epoch, int stepInEpoch, int[] indices, NDManager m) {
        byte[] pixels = views == null ? images.select(indices).pixels()
                : timed(() -> views.views(epoch, stepInEpoch, indices))[0];
        long[] labels = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            labels[i] = images.labels()[indices[i]];
        }
        NDArray x = norm.toTensor(m, pixels, indices.length, images.height(), images.width(), images.channels(),
                encoder.channelsLast());
        NDArray logits;
        try (Autocast a = autocast()) {
            NDArray features = encoder.forward(x, !spec.freezeEncoder());
            if (spec.freezeEncoder()) {
                features = features.stopGradient();
            }
            logits = head.forward(features, true);
        }
        return Losses.crossEntropy(Autocast.toFloat32(logits), m.create(labels));
    }

    /** Test metrics on {@code test} (eval mode, original images). */
    public Evaluation evaluate(LabelledImages test) {
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = Evaluation.logits(test.count(), (from, to, chunk) -> {
                NDArray x = norm.toTensor(chunk, Arrays.copyOfRange(test.pixels(), from * test.imageBytes(),
                        to * test.imageBytes()), to - from, test.height(), test.width(), test.channels(),
                        encoder.channelsLast());
                try (Autocast a = autocast()) {
                    x = head.forward(encoder.forward(x, false), false);
                }
                return Autocast.toFloat32(x);
            }, m);
            return Evaluation.of(logits, test.labels());
        }
    }

    @Override
    protected boolean endOfEpoch(int epoch, RunListener listener) {
        return best != null && best.endOfEpoch(epoch, evaluate(validation).top1(), epoch + 1 == settings.epochs(),
                networks());
    }

    @Override
    protected void extraTensors(Map<String, dev.simclr.core.npy.Npy.Array> tensors) {
        if (best != null) {
            best.extraTensors(tensors);
        }
    }

    @Override
    protected void restoreExtraTensors(Map<String, dev.simclr.core.npy.Npy.Array> tensors) {
        if (best != null) {
            best.restoreExtraTensors(tensors);
        }
    }

    @Override
    protected void restoreDescription(ObjectNode meta) {
        if (best != null) {
            best.restoreDescription(meta);
        }
    }

    @Override
    protected void describe(ObjectNode meta) {
        if (best != null) {
            best.describe(meta);
        }
        meta.put("kind", "classifier");
        meta.set("spec", Checkpoint.JSON.valueToTree(spec));
        meta.put("inChannels", images.channels());
        meta.put("height", images.height());
        meta.put("width", images.width());
        meta.put("featureDim", featureDim);
        meta.set("normalization", Checkpoint.JSON.valueToTree(norm));
    }
}
