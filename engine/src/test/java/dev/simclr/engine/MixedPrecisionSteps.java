package dev.simclr.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.simclr.contracts.DistillMode;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.Precision;
import dev.simclr.core.dataset.LabelledImages;
import dev.simclr.core.run.Checkpoint;
import dev.simclr.engine.loss.Losses;
import dev.simclr.engine.model.Encoders;
import dev.simclr.engine.model.Network;
import dev.simclr.engine.precision.Autocast;
import dev.simclr.engine.train.Classification;
import dev.simclr.engine.train.Distillation;
import dev.simclr.engine.train.Features;
import dev.simclr.engine.train.KnnMonitor;
import dev.simclr.engine.train.LinearEvaluation;
import dev.simclr.engine.train.Normalization;
import dev.simclr.engine.train.Pretraining;
import dev.simclr.engine.train.RunListener;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link MixedPrecisionTest} checks, run in a JVM of its own (a native abort on a bf16 array ends the process,
 * and the test reports it instead of losing the whole test fork): for every case of {@code bf16.json} one training
 * step in fp32 and one with the forward passes under bf16 autocast, on the reference's formula weights and pixels —
 * loss and the same sample of every gradient the reference keeps — then the loops themselves (pretraining with the
 * kNN monitor, fine-tuning, distillation, linear evaluation, features) a few steps in bf16 and a checkpoint's
 * round trip. Prints one JSON object on stdout.
 */
public final class MixedPrecisionSteps {
    private MixedPrecisionSteps() {}

    public static void main(String[] args) {
        JsonNode ref = Reference.bf16();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("autocast", Autocast.available());
        out.put("reason", Autocast.unavailableReason());
        ArrayNode cases = out.putArray("cases");
        for (JsonNode c : ref.path("cases")) {
            ObjectNode r = cases.addObject();
            r.put("kind", c.path("kind").asText());
            for (String p : List.of("fp32", "bf16")) {
                r.set(p, step(ref, c, p.equals("bf16")));
            }
        }
        out.set("loops", loops());
        System.out.println(out);
    }

    private static ObjectNode step(JsonNode ref, JsonNode c, boolean bf16) {
        int batch = ref.path("batch").asInt();
        int side = ref.path("side").asInt();
        int cin = c.path("inChannels").asInt();
        String kind = c.path("kind").asText();
        ObjectNode r = Json.MAPPER.createObjectNode();
        try (NDManager m = NDManager.newBaseManager()) {
            Shape in = new Shape(batch, cin, side, side);
            Encoders.Encoder e = Encoders.build(family(c), c.path("depth").asInt(), c.path("width").asDouble(), cin);
            Network enc = formula(new Network(e, m.newSubManager(), in, 1), 0);
            Normalization norm = new Normalization(filled(cin, ref.path("mean").asDouble()),
                    filled(cin, ref.path("std").asDouble()));
            byte[] px = pixels(batch, side, side, cin);
            NDArray x = norm.toTensor(m, px, batch, side, side, cin, enc.channelsLast());
            long[] labelValues = new long[batch];
            for (int i = 0; i < batch; i++) {
                labelValues[i] = i % 10;
            }
            NDArray labels = m.create(labelValues);
            List<Network> trained = new ArrayList<>();
            NDArray loss = null;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                switch (kind) {
                    case "pretrain" -> {
                        Network head = formula(new Network(Encoders.projectionHead(e.featureDim(), 2, 128),
                                m.newSubManager(), new Shape(batch, e.featureDim()), 2), 1000);
                        NDArray z;
                        try (Autocast a = Autocast.enter(bf16)) {
                            z = head.forward(enc.forward(x, true), true);
                        }
                        z = Autocast.toFloat32(z);
                        loss = Losses.ntXent(z.get("0:" + batch / 2), z.get(batch / 2 + ":"), 0.5);
                        trained = List.of(enc, head);
                    }
                    case "finetune" -> {
                        Network head = formula(new Network(Encoders.linear(10), m.newSubManager(),
                                new Shape(batch, e.featureDim()), 2), 1000);
                        NDArray logits;
                        try (Autocast a = Autocast.enter(bf16)) {
                            logits = head.forward(enc.forward(x, true), true);
                        }
                        loss = Losses.crossEntropy(Autocast.toFloat32(logits), labels);
                        trained = List.of(enc, head);
                    }
                    case "distill" -> {
                        JsonNode s = c.path("student");
                        Encoders.Encoder se = Encoders.build(family(s), s.path("depth").asInt(),
                                s.path("width").asDouble(), cin);
                        Network student = formula(new Network(se, m.newSubManager(), in, 3), 500);
                        Network sHead = formula(new Network(Encoders.linear(10), m.newSubManager(),
                                new Shape(batch, se.featureDim()), 4), 1500);
                        Network tHead = formula(new Network(Encoders.linear(10), m.newSubManager(),
                                new Shape(batch, e.featureDim()), 5), 1000);
                        enc.freeze(true);
                        tHead.freeze(true);
                        NDArray teacher;
                        NDArray logits;
                        try (Autocast a = Autocast.enter(bf16)) {
                            teacher = tHead.forward(enc.forward(x, false), false).stopGradient();
                            logits = sHead.forward(student.forward(x, true), true);
                        }
                        loss = Losses.distillation(Autocast.toFloat32(logits), Autocast.toFloat32(teacher), labels,
                                c.path("temperature").asDouble(), c.path("alpha").asDouble());
                        trained = List.of(student, sHead);
                    }
                    case "features" -> {
                        LabelledImages images = new LabelledImages(side, side, cin, px, labelValues);
                        NDArray f = Features.of(enc, norm, images, m, bf16 ? Precision.BF16 : Precision.FP32);
                        r.put("dtype", f.getDataType().toString());
                        r.set("gradients", Json.MAPPER.createArrayNode().add(sample(f.toFloatArray())));
                        return r;
                    }
                    default -> throw new IllegalArgumentException(kind);
                }
                r.put("lossDtype", loss.getDataType().toString());
                gc.backward(loss);
            }
            r.put("loss", loss.getFloat());
            ArrayNode grads = r.putArray("gradients");
            for (Network net : trained) {
                for (Pair<String, Parameter> p : net.parameters()) {
                    if (p.getValue().requiresGradient()) {
                        NDArray g = p.getValue().getArray().getGradient();
                        r.put("gradientDtype", g.getDataType().toString());
                        grads.add(sample(g.toFloatArray()));
                    }
                }
            }
            r.put("weightDtype", enc.parameters().get(0).getValue().getArray().getDataType().toString());
        }
        return r;
    }

    /** The recipes' width (channels-last from 0.25: the layout the loops run in bf16 at cpu scale). */
    static final double WIDTH = 0.25;

    private static Pretraining pretraining(LabelledImages images, Normalization norm, NDManager m) {
        return new Pretraining(PretrainingTest.SETTINGS.withEpochs(2),
                new Pretraining.Spec(EncoderFamily.RESNET, 18, WIDTH, 2, 0.5), images, norm,
                PretrainingTest.noisyViews(images, 7), new Pretraining.Monitor(images, images, 4, 1), m);
    }

    /** The loops in bf16 for a few steps each, on the tiny synthetic images: what each reports. */
    private static ObjectNode loops() {
        ObjectNode r = Json.MAPPER.createObjectNode();
        LabelledImages images = PretrainingTest.images();
        Normalization norm = Normalization.of(images.pixels(), 1);
        try (NDManager m = NDManager.newBaseManager()) {
            Checkpoint pre;
            try (Pretraining p = pretraining(images, norm, m)) {
                p.precision(Precision.BF16);
                List<Double> losses = new ArrayList<>();
                p.run(new RunListener() {
                    @Override
                    public void progress(dev.simclr.core.run.Progress progress) {
                        if (progress.knnAccuracy() == null) {
                            losses.add(progress.loss());
                        }
                    }
                });
                r.set("pretrainLosses", Json.MAPPER.valueToTree(losses));
                r.put("pretrainKnn", p.lastKnnAccuracy());
                r.put("pretrainPrecision", p.precision().wireName());
                pre = Checkpoint.fromBytes(p.checkpoint().toBytes());
                r.put("checkpointPrecision", pre.meta().path("precision").asText());
                r.put("checkpointWeightsFinite", allFinite(pre));
                // resumed: the checkpoint's precision wins over what the new loop was given
                try (Pretraining resumed = pretraining(images, norm, m)) {
                    resumed.precision(Precision.FP32);
                    resumed.restore(pre);
                    r.put("resumedPrecision", resumed.precision().wireName());
                }
                r.put("knnBf16", KnnMonitor.accuracy(p.encoder(), norm, images, images, 4, 5, 0.1, Precision.BF16, m));
                r.put("knnFp32", KnnMonitor.accuracy(p.encoder(), norm, images, images, 4, 5, 0.1, Precision.FP32, m));
                var linear = new dev.simclr.engine.train.LoopSettings(16, 3, 3,
                        dev.simclr.contracts.OptimizerName.ADAM, 0.05, 0.9, 1e-4, false, 0,
                        dev.simclr.contracts.LrScaling.NONE, 0);
                try (LinearEvaluation le = LinearEvaluation.ofEncoder(linear, p.encoder(), norm, images, 4,
                        Precision.BF16, m)) {
                    le.run(RunListener.NONE);
                    r.put("linearTop1", le.evaluateEncoder(p.encoder(), norm, images, Precision.BF16).top1());
                }
            }
            var spec = new Classification.Spec(EncoderFamily.RESNET, 18, WIDTH, List.of(), false, 4);
            Checkpoint teacher;
            try (Classification fine = new Classification(SupervisedLoopsTest.SUPERVISED.withEpochs(2), spec, images,
                    norm, null, m)) {
                fine.precision(Precision.BF16);
                fine.loadEncoder(pre);
                fine.run(RunListener.NONE);
                r.put("finetuneLoss", fine.lastLoss());
                r.put("finetuneTop1", fine.evaluate(images).top1());
                teacher = fine.checkpoint();
            }
            var frozen = new Classification.Spec(EncoderFamily.RESNET, 18, WIDTH, List.of(32), true, 4);
            try (Classification head = new Classification(SupervisedLoopsTest.SUPERVISED.withEpochs(1), frozen,
                    images, norm, null, m)) {
                head.precision(Precision.BF16);
                head.loadEncoder(pre);
                head.run(RunListener.NONE);
                r.put("frozenHeadLoss", head.lastLoss());
            }
            LabelledImages big = SupervisedLoopsTest.upsampled(images);
            Normalization bigNorm = Normalization.of(big.pixels(), 1);
            try (Classification fine = new Classification(SupervisedLoopsTest.SUPERVISED.withEpochs(1), spec, big,
                    bigNorm, null, m)) {
                teacher = fine.checkpoint();
            }
            for (DistillMode mode : DistillMode.values()) {
                var dSpec = new Distillation.Spec(EncoderFamily.VGG, 11, WIDTH, mode, List.of(16), 4.0, 0.5, 3, 4);
                try (Distillation d = new Distillation(SupervisedLoopsTest.SUPERVISED.withEpochs(2), dSpec, teacher,
                        big, big, bigNorm, null, m)) {
                    d.precision(Precision.BF16);
                    d.run(RunListener.NONE);
                    r.put("distill-" + mode.wireName() + "-loss", d.lastLoss());
                    r.put("distill-" + mode.wireName() + "-top1", d.evaluate(big).top1());
                }
            }
        }
        return r;
    }

    private static boolean allFinite(Checkpoint c) {
        for (var t : c.tensors().values()) {
            for (float v : t.asFloats()) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static EncoderFamily family(JsonNode c) {
        return dev.simclr.contracts.Wire.parse(EncoderFamily.class, c.path("family").asText()).orElseThrow();
    }

    /** The reference's formula: weights sin/√fan-in; γ and running variance 1 ± 0.2; biases, β, running mean ±0.2. */
    static Network formula(Network net, int offset) {
        List<Pair<String, Parameter>> params = net.parameters();
        List<float[]> values = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i).getValue();
            Shape shape = p.getArray().getShape();
            int n = (int) shape.size();
            float[] v = new float[n];
            Parameter.Type t = p.getType();
            boolean scale = shape.dimension() == 1 && (t == Parameter.Type.GAMMA || t == Parameter.Type.RUNNING_VAR);
            double fan = 1 / Math.sqrt((double) n / shape.get(0));
            for (int j = 0; j < n; j++) {
                double wave = Math.sin(0.7 * j + 1.3 * (i + offset));
                v[j] = (float) (shape.dimension() > 1 ? wave * fan : scale ? 1 + 0.2 * wave : 0.2 * wave);
            }
            values.add(v);
            shapes.add(shape.getShape());
        }
        net.load(values, shapes);
        return net;
    }

    /** The reference's pixels: hashed noise (0..127) over stripes (0..127) that differ per image; N×H×W×C. */
    static byte[] pixels(int n, int h, int w, int c) {
        byte[] px = new byte[n * h * w * c];
        for (long j = 0; j < px.length; j++) {
            long i = j / ((long) h * w * c);
            long y = (j / ((long) w * c)) % h;
            long x = (j / c) % w;
            long ch = j % c;
            long stripes = (i * 37 + y * (i % 4 + 1) * 3 + x * (i % 3 + 1) * 5 + ch * 11) & 127;
            px[(int) j] = (byte) ((((j * 2654435761L) >> 13) & 127) + stripes);
        }
        return px;
    }

    /** The reference's sample of a tensor: all of it up to 32 entries, else entries (k·7919) mod n. */
    static ArrayNode sample(float[] values) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        int n = values.length;
        int k = Math.min(n, 32);
        for (int i = 0; i < k; i++) {
            a.add(values[n <= 32 ? i : (int) ((i * 7919L) % n)]);
        }
        return a;
    }

    private static float[] filled(int n, double value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, (float) value);
        return a;
    }
}
