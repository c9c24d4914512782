package dev.simclr.engine.train;

import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.DistillMode;
import dev.simclr.contracts.Wire;

import dev.simclr.core.augment.ViewSupplier;
import dev.simclr.core.run.Checkpoint;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.npy.Npy;
import dev.simclr.engine.loss.Losses;
import dev.simclr.engine.model.Encoders;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.precision.Autocast;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Knowledge distillation from a fine-tuned teacher (encoder + linear classifier, eval mode, no gradient) into a
 * student: {@code full} (encoder and linear head trained) or {@code frozen-base} (the student's encoder frozen, a
 * dense head trained). Loss {@code (1-alpha)·T²·KL + alpha·CE}. Teacher logits are computed on the fly, or once for
 * every image and cached when the inputs are not augmented. After each epoch the student is scored on the
 * validation images; training stops after {@code patienceEpochs} without a better accuracy and the best student
 * is kept, as the reference stopped at its best accuracy.
 */
public final class Distillation extends TrainingLoop {
    /** Student encoder and mode, dense hidden sizes (frozen-base), T, alpha, patience, classes. */
    public record Spec(EncoderFamily family, int depth, double width, DistillMode mode, List<Integer> denseHidden,
                       double temperature, double alpha, int patienceEpochs, int classes) {}

    private final Spec spec;
    private final LabelledImages images;
    private final LabelledImages validation;
    private final Normalization norm;
    private final ViewSupplier views;
    private final Network teacherEncoder;
    private final Network teacherHead;
    private final Network student;
    private final Network studentHead;
    private final BestEpoch best;

    public Distillation(LoopSettings settings, Spec spec, Checkpoint teacher, LabelledImages images,
                        LabelledImages validation, Normalization norm, ViewSupplier views, NDManager parent) {
        super(settings, images.count(), parent);
        if (spec.mode() == null) {
            throw new IllegalArgumentException("mode must be one of " + Wire.names(DistillMode.class));
        }
        this.spec = spec;
        this.images = images;
        this.validation = validation;
        this.norm = norm;
        this.views = views;
        this.best = new BestEpoch(spec.patienceEpochs());
        Shape in = new Shape(2, images.channels(), images.height(), images.width());
        var tSpec = dev.simclr.core.run.CheckpointMeta.of(teacher).encoder();
        Encoders.Encoder tEnc = Encoders.build(tSpec.family(), tSpec.depth(), tSpec.width(), images.channels());
        this.teacherEncoder = new Network(tEnc, manager.newSubManager(), in, 0);
        this.teacherHead = new Network(Encoders.linear(spec.classes()), manager.newSubManager(),
                new Shape(2, tEnc.featureDim()), 0);
        loadNetwork(teacherEncoder, teacher.network("encoder"), "teacher encoder");
        loadNetwork(teacherHead, teacher.network("classifier"), "teacher classifier");
        teacherEncoder.freeze(true);
        teacherHead.freeze(true);
        Encoders.Encoder sEnc = Encoders.build(spec.family(), spec.depth(), spec.width(), images.channels());
        this.student = new Network(sEnc, manager.newSubManager(), in, settings.seed());
        Block head = spec.mode() == DistillMode.FULL ? Encoders.linear(spec.classes())
                : Encoders.denseHead(spec.denseHidden(), spec.classes());
        this.studentHead = new Network(head, manager.newSubManager(), new Shape(2, sEnc.featureDim()),
                settings.seed() + 3);
        student.freeze(spec.mode() == DistillMode.FROZEN_BASE);
    }

    /** The frozen base of a frozen-base student, e.g. an encoder pretrained with SimCLR. */
    public void loadStudentEncoder(Checkpoint checkpoint) {
        loadNetwork(student, checkpoint.network("encoder"), "student encoder");
        student.freeze(spec.mode() == DistillMode.FROZEN_BASE);
    }

    public double bestAccuracy() {
        return best.bestAccuracy();
    }

    public int bestEpoch() {
        return best.bestEpoch();
    }

    /** The choice of epoch on the validation images. */
    public BestEpoch selection() {
        return best;
    }

    @Override
    protected Map<String, Network> networks() {
        Map<String, Network> nets = new LinkedHashMap<>();
        nets.put("encoder", student);
        nets.put("classifier", studentHead);
        return nets;
    }

    @Override
    protected NDArray loss(int epoch, int stepInEpoch, int[] indices, NDManager m) {
        byte[] pixels = views == null ? images.select(indices).pixels()
                : timed(() -> views.views(epoch, stepInEpoch, indices))[0];
        // the teacher runs on each step's own batch: bounded work per step, the same numbers however the run is
        // sliced (caching every image's logits up front redid the whole set at every slice and, on busy cores,
        // outlived the consumer's 120 s patience: distill-service was restarted in a loop)
        NDArray teacher = teacherLogits(pixels, indices.length, m);
        NDArray x = norm.toTensor(m, pixels, indices.length, images.height(), images.width(), images.channels(),
                student.channelsLast());
        boolean full = spec.mode() == DistillMode.FULL;
        NDArray logits;
        try (Autocast a = autocast()) {
            NDArray features = student.forward(x, full);
            if (!full) {
                features = features.stopGradient();
            }
            logits = studentHead.forward(features, true);
        }
        long[] labels = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            labels[i] = images.labels()[indices[i]];
        }
        // the KL and cross-entropy in fp32
        return Losses.distillation(Autocast.toFloat32(logits), teacher, m.create(labels),
                spec.temperature(), spec.alpha());
    }

    private NDArray teacherLogits(byte[] pixels, int n, NDManager m) {
        NDArray x = norm.toTensor(m, pixels, n, images.height(), images.width(), images.channels(),
                teacherEncoder.channelsLast());
        try (Autocast a = autocast()) {
            x = teacherHead.forward(teacherEncoder.forward(x, false), false).stopGradient();
        }
        return Autocast.toFloat32(x);
    }

    public Evaluation evaluate(LabelledImages test) {
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = Evaluation.logits(test.count(), (from, to, chunk) -> {
                NDArray x = norm.toTensor(chunk, slice(test, from, to), to - from, test.height(), test.width(),
                        test.channels(), student.channelsLast());
                try (Autocast a = autocast()) {
                    x = studentHead.forward(student.forward(x, false), false);
                }
                return Autocast.toFloat32(x);
            }, m);
            return Evaluation.of(logits, test.labels());
        }
    }

    /** The teacher's own test metrics, for the table beside the students. */
    public Evaluation evaluateTeacher(LabelledImages test) {
        try (NDManager m = manager.newSubManager()) {
            NDArray logits = Evaluation.logits(test.count(), (from, to, chunk) -> teacherLogits(slice(test, from, to),
                    to - from, chunk), m);
            return Evaluation.of(logits, test.labels());
        }
    }

    @Override
    protected boolean endOfEpoch(int epoch, RunListener listener) {
        return best.endOfEpoch(epoch, evaluate(validation).top1(), epoch + 1 == settings.epochs(), networks());
    }

    private static byte[] slice(LabelledImages images, int from, int to) {
        return Arrays.copyOfRange(images.pixels(), from * images.imageBytes(), to * images.imageBytes());
    }

    /** The best student so far travels with the checkpoint, so a resumed run still ends on its best epoch. */
    @Override
    protected void extraTensors(Map<String, Npy.Array> tensors) {
        best.extraTensors(tensors);
    }

    @Override
    protected void restoreExtraTensors(Map<String, Npy.Array> tensors) {
        best.restoreExtraTensors(tensors);
    }

    @Override
    protected void restoreDescription(ObjectNode meta) {
        best.restoreDescription(meta);
    }

    @Override
    protected void describe(ObjectNode meta) {
        meta.put("kind", "classifier");
        meta.put("distilled", true);
        meta.set("spec", Checkpoint.JSON.valueToTree(new Classification.Spec(spec.family(), spec.depth(),
                spec.width(), spec.mode() == DistillMode.FULL ? List.of() : spec.denseHidden(),
                spec.mode() == DistillMode.FROZEN_BASE, spec.classes())));
        meta.set("distillation", Checkpoint.JSON.valueToTree(spec));
        meta.put("inChannels", images.channels());
        best.describe(meta);
        meta.set("normalization", Checkpoint.JSON.valueToTree(norm));
    }
}
