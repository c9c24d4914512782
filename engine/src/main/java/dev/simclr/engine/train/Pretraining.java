package dev.simclr.engine.train;

import dev.simclr.contracts.EncoderFamily;

import dev.simclr.core.augment.ViewSupplier;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.core.run.Progress;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.engine.loss.Losses;
import dev.simclr.engine.model.Encoders;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.precision.Autocast;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SimCLR pretraining: two views per image from the {@link ViewSupplier}, encoder + projection head over the 2N
 * views in one batch (batch norm sees both), NT-Xent at {@code temperature}. With a monitor set, kNN accuracy of
 * the encoder's features is measured every {@code knnEveryEpochs}.
 */
public final class Pretraining extends TrainingLoop {
    /** The model: encoder family, depth and width; projection layers (2 or 3, output 128); NT-Xent temperature. */
    public record Spec(EncoderFamily family, int depth, double width, int projectionLayers, double temperature) {}

    /** kNN monitor on (bank, queries), every {@code everyEpochs} epochs. */
    public record Monitor(LabelledImages bank, LabelledImages queries, int classes, int everyEpochs) {}

    /** The projection head's output: what NT-Xent compares. */
    public static final int PROJECTION_DIM = 128;

    private final Spec spec;
    private final LabelledImages images;
    private final Normalization norm;
    private final ViewSupplier views;
    private final Monitor monitor;
    private final Network encoder;
    private final Network head;
    private final int featureDim;
    private Double lastKnn;
    private Double lastEmbeddingStd;

    public Pretraining(LoopSettings settings, Spec spec, LabelledImages images, Normalization norm, ViewSupplier views,
                       Monitor monitor, NDManager parent) {
        super(settings, images.count(), parent);
        this.spec = spec;
        this.images = images;
        this.norm = norm;
        this.views = views;
        this.monitor = monitor;
        Encoders.Encoder enc = Encoders.build(spec.family(), spec.depth(), spec.width(), images.channels());
        this.featureDim = enc.featureDim();
        this.encoder = new Network(enc, manager.newSubManager(),
                new Shape(2, images.channels(), images.height(), images.width()), settings.seed());
        this.head = new Network(Encoders.projectionHead(featureDim, spec.projectionLayers(), PROJECTION_DIM),
                manager.newSubManager(), new Shape(2, featureDim), settings.seed() + 1);
    }

    public Network encoder() {
        return encoder;
    }

    public Double lastKnnAccuracy() {
        return lastKnn;
    }

    /** The collapse monitor's last value ({@link KnnMonitor.Measure#embeddingStd}), with the kNN accuracy. */
    public Double lastEmbeddingStd() {
        return lastEmbeddingStd;
    }

    /** d of the collapse monitor: the projection head's output, what the embedding std is measured on. */
    public int embeddingDim() {
        return PROJECTION_DIM;
    }

    @Override
    protected Map<String, Network> networks() {
        Map<String, Network> nets = new LinkedHashMap<>();
        nets.put("encoder", encoder);
        nets.put("projection", head);
        return nets;
    }

    @Override
    protected NDArray loss(int epoch, int stepInEpoch, int[] indices, NDManager m) {
        byte[][] v = timed(() -> views.views(epoch, stepInEpoch, indices));
        int n = indices.length;
        byte[] both = new byte[v[0].length + v[1].length];
        System.arraycopy(v[0], 0, both, 0, v[0].length);
        System.arraycopy(v[1], 0, both, v[0].length, v[1].length);
        NDArray x = norm.toTensor(m, both, 2 * n, images.height(), images.width(), images.channels(),
                encoder.channelsLast());
        NDArray z;
        try (Autocast a = autocast()) {
            z = head.forward(encoder.forward(x, true), true);
        }
        // NT-Xent's normalisation, matmul and log-softmax in fp32 (and DJL aborts on a bf16 softmax)
        z = Autocast.toFloat32(z);
        return Losses.ntXent(z.get("0:" + n), z.get(n + ":"), spec.temperature());
    }

    @Override
    protected boolean endOfEpoch(int epoch, RunListener listener) {
        if (monitor != null && monitor.everyEpochs() > 0 && (epoch + 1) % monitor.everyEpochs() == 0) {
            KnnMonitor.Measure measured = KnnMonitor.measure(encoder, head, norm, monitor.bank(), monitor.queries(),
                    monitor.classes(), precision(), manager);
            lastKnn = measured.accuracy();
            lastEmbeddingStd = measured.embeddingStd();
            listener.progress(new Progress(epoch, step(), totalSteps(), lastLoss(), schedule().at(step() - 1), 0, 0,
                    lastKnn));
        }
        return false;
    }

    @Override
    protected void restoreDescription(ObjectNode meta) {
        lastKnn = meta.has("knnAccuracy") ? meta.get("knnAccuracy").asDouble() : null;
        lastEmbeddingStd = meta.has("embeddingStd") ? meta.get("embeddingStd").asDouble() : null;
    }

    @Override
    protected void describe(ObjectNode meta) {
        meta.put("kind", "pretrain");
        meta.set("spec", Checkpoint.JSON.valueToTree(spec));
        meta.put("inChannels", images.channels());
        meta.put("height", images.height());
        meta.put("width", images.width());
        meta.put("featureDim", featureDim);
        meta.set("normalization", Checkpoint.JSON.valueToTree(norm));
        if (lastKnn != null) {
            meta.put("knnAccuracy", lastKnn);
        }
        if (lastEmbeddingStd != null) {
            meta.put("embeddingStd", lastEmbeddingStd);
        }
    }
}
