package dev.simclr.eval.plan;

import dev.simclr.contracts.AugmentRequested;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.DistillMode;
import dev.simclr.contracts.DistillRequested;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.EvalKind;
import dev.simclr.contracts.EvalRequested;
import dev.simclr.core.run.CheckpointMeta;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.contracts.RunIds;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * An experiment as a DAG of runs, a pure function of (experiment id, spec, datasets): the same plan after a restart,
 * the same run ids, so finished runs are recognised — and, unless the spec says {@code fresh}, the same ids as
 * another experiment's runs that compute the same thing, which are then reused. Pretraining is shared by the
 * studies (one per seed, or one for every seed with {@code pretrain.seed}); each study adds the runs that measure it.
 * Requests are built when their inputs exist (a fine-tune needs its pretrain's checkpoint key).
 */
public final class Planner {
    private Planner() {}

    /** One planned run: what it measures ({@code study}, {@code labels}), what it needs, how to ask for it. */
    public record Node(String runId, Stage stage, String study, Map<String, String> labels,
                       List<String> needs, Function<Map<String, RunCompleted>, Event> request) {
        /** Where its request goes: the stage says. */
        public String topic() {
            return stage.requestTopic();
        }
    }

    /**
     * The datasets a plan trains and evaluates on: the (sampled) main dataset and, per transfer domain (the main
     * dataset's name first, then the spec's other datasets), the class subset (sampled) for each class count.
     */
    public record Datasets(DatasetRef main, Map<String, Map<Integer, DatasetRef>> transfer,
                           Map<String, Map<Long, Map<Integer, DatasetRef>>> bySeed,
                           Map<DatasetRef, Integer> trainImages, Map<DatasetRef, String> contentSha256,
                           Map<DatasetRef, DatasetRef> domains) {
        public Datasets(DatasetRef main, Map<String, Map<Integer, DatasetRef>> transfer) {
            this(main, transfer, Map.of(), Map.of(), Map.of());
        }

        public Datasets(DatasetRef main, Map<String, Map<Integer, DatasetRef>> transfer,
                        Map<String, Map<Long, Map<Integer, DatasetRef>>> bySeed, Map<DatasetRef, Integer> trainImages,
                        Map<DatasetRef, String> contentSha256) {
            this(main, transfer, bySeed, trainImages, contentSha256, Map.of());
        }

        /** What the ablation reads of the imported dataset {@code domain}: its sample, like the main dataset's. */
        public DatasetRef domain(DatasetRef domain) {
            return domains.getOrDefault(domain, domain);
        }

        /** The dataset's content hash ({@code DatasetStore.contentSha256}), or "" when the caller gave none. */
        public String content(DatasetRef ref) {
            return contentSha256.getOrDefault(ref, "");
        }

        /** The class subset of {@code domain} with {@code k} classes for {@code seed}: its own draw, if any. */
        public DatasetRef subset(String domain, long seed, int k) {
            Map<Integer, DatasetRef> drawn = bySeed.getOrDefault(domain, Map.of()).get(seed);
            return drawn != null && drawn.containsKey(k) ? drawn.get(k) : transfer.get(domain).get(k);
        }
    }

    /** Epochs of views augment-service may write ahead of the trainer. */
    static final int AUGMENT_LOOKAHEAD_EPOCHS = 1;

    /** The label of every run that rests on one of {@code pretrain.seeds}' encoders: that pretraining seed. */
    public static final String ENCODER_SEED = "encoderSeed";

    /**
     * The experiment's runs. With {@code pretrain.seeds}, the plan of each independent encoder — each as the plan of
     * a spec with that shared {@code pretrain.seed}, under the same run ids — one after another, every run labelled
     * with its encoder's seed ({@link #ENCODER_SEED}; not the raw-pixel baselines, which no encoder makes).
     */
    public static List<Node> plan(String experimentId, ExperimentSpec spec, Datasets data) {
        if (!spec.pretrain().independentEncoders()) {
            return plan(experimentId, spec, spec.pretrain(), data);
        }
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (long encoder : spec.pretrain().seeds()) {
            for (Node n : plan(experimentId, spec, spec.pretrain().encoder(encoder), data)) {
                if (!nodes.containsKey(n.runId())) {
                    Map<String, String> labels = new java.util.TreeMap<>(n.labels());
                    if (!labels.containsKey(BASELINE)) {
                        labels.put(ENCODER_SEED, Long.toString(encoder));
                    }
                    nodes.put(n.runId(), new Node(n.runId(), n.stage(), n.study(), Map.copyOf(labels), n.needs(),
                            n.request()));
                }
            }
        }
        return new ArrayList<>(nodes.values());
    }

    /** {@code p}: the pretraining every run of this plan starts from (one encoder or one per seed). */
    private static List<Node> plan(String experimentId, ExperimentSpec spec, ExperimentSpec.Pretrain p,
                                   Datasets data) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        for (long seed : spec.allSeeds()) {
            boolean main = spec.seeds().contains(seed); // a transfer-only seed runs nothing else
            DatasetRef pretrainData = p.datasetOr(data.main());
            List<Node> pretrainRuns = pretrain(experimentId, spec, p, data, pretrainData, spec.encoder(), seed);
            boolean ablation = main && spec.studies().contains(ExperimentSpec.ABLATION);
            List<ExperimentSpec.Domain> domains = spec.studies().contains(ExperimentSpec.ABLATION)
                    ? spec.finetune().domains() : null;
            // with domains the ablation pretrains per domain: the main encoder only when another study reads it
            if (domains == null || spec.studies().contains(ExperimentSpec.DISTILLATION)
                    || spec.studies().contains(ExperimentSpec.TRANSFER)) {
                pretrainRuns.forEach(n -> nodes.putIfAbsent(n.runId(), n));
            }
            Node pretrain = pretrainRuns.get(pretrainRuns.size() - 1);
            if (ablation && domains == null) {
                ablation(experimentId, spec, data, data.main(), pretrain, null, seed, nodes);
            } else if (ablation) {
                for (ExperimentSpec.Domain d : domains) {
                    // one pretraining per domain (a colour domain needs a 3-channel encoder), same settings
                    DatasetRef ref = data.domain(d.ref());
                    // pretrain.dataset (the main one) says "whole": every domain then pretrains on its whole dataset
                    List<Node> own = pretrainAt(experimentId, spec, p, data, p.dataset() != null ? d.ref() : ref,
                            spec.encoder(), p.seedFor(seed), null, d.tag());
                    own.forEach(n -> nodes.putIfAbsent(n.runId(), n));
                    ablation(experimentId, spec, data, ref, own.get(own.size() - 1), d.tag(), seed, nodes);
                }
            }
            if (main && spec.studies().contains(ExperimentSpec.DISTILLATION)) {
                ExperimentSpec.Distill d = spec.distill();
                Node teacher = finetune(experimentId, spec, data, data.main(), pretrain, d.teacherPolicy(), seed,
                        "teacher", Map.of("policy", d.teacherPolicy(), "seed", Long.toString(seed)), null, null);
                nodes.putIfAbsent(teacher.runId(), teacher);
                for (EncoderSpec student : d.students()) {
                    // a frozen base is a SimCLR-pretrained encoder of the student's own architecture
                    boolean same = student.equals(spec.encoder());
                    List<Node> baseRuns = same ? List.of(pretrain)
                            : pretrain(experimentId, spec, p, data, pretrainData, student, seed);
                    Node base = baseRuns.get(baseRuns.size() - 1);
                    for (DistillMode mode : d.modes()) {
                        boolean frozen = mode == DistillMode.FROZEN_BASE;
                        if (frozen) {
                            baseRuns.forEach(n -> nodes.putIfAbsent(n.runId(), n));
                        }
                        Node n = distill(experimentId, spec, data, data.main(), teacher, frozen ? base : null, student,
                                mode, seed, !frozen ? null : same ? TEACHERS_BASE : OWN_BASE);
                        nodes.putIfAbsent(n.runId(), n);
                        if (frozen && same) {
                            // the control: the same architecture on a base pretrained independently of the teacher's,
                            // so "same architecture" and "same weights as the teacher's start" are two findings
                            List<Node> independent = pretrainAt(experimentId, spec, p, data, pretrainData, student,
                                    independentSeed(p.seedFor(seed)), INDEPENDENT_BASE, null);
                            independent.forEach(x -> nodes.putIfAbsent(x.runId(), x));
                            Node c = distill(experimentId, spec, data, data.main(), teacher,
                                    independent.get(independent.size() - 1), student, mode, seed, INDEPENDENT_BASE);
                            nodes.putIfAbsent(c.runId(), c);
                        }
                    }
                }
            }
            if (spec.studies().contains(ExperimentSpec.TRANSFER) && spec.transferSeeds().contains(seed)) {
                for (var domain : data.transfer().entrySet()) {
                    for (var e : domain.getValue().entrySet()) {
                        DatasetRef subset = data.subset(domain.getKey(), seed, e.getKey());
                        for (int batch : spec.transfer().batchSizes()) {
                            Node n = linear(experimentId, spec, data, domain.getKey(), subset, e.getKey(), pretrain,
                                    batch, spec.transfer().epochsFor(batch, data.trainImages().get(subset)), seed);
                            nodes.putIfAbsent(n.runId(), n);
                        }
                        if (spec.transfer().withPixelBaseline()) {
                            Node n = pixels(experimentId, spec, data, domain.getKey(), subset, e.getKey(), seed,
                                    data.trainImages().get(subset));
                            nodes.putIfAbsent(n.runId(), n);
                        }
                    }
                }
            }
        }
        return new ArrayList<>(nodes.values());
    }

    /**
     * The ablation's fine-tunes of one seed on {@code data} from {@code pretrain}: every label fraction, budget and
     * policy. A run's labels say its cell — {@code fraction} with a sweep, {@code domain} ({@code domain}, with
     * {@code finetune.domains}), {@code budget} (with {@code finetune.budgets}) — and nothing the spec does not vary.
     */
    private static void ablation(String exp, ExperimentSpec spec, Datasets all, DatasetRef data, Node pretrain,
                                 String domain, long seed, Map<String, Node> nodes) {
        ExperimentSpec.Finetune f = spec.finetune();
        boolean sweep = f.labelFractions() != null;
        for (double fraction : f.fractions()) {
            for (String budget : f.budgetList()) {
                for (String policy : f.policies()) {
                    Map<String, String> labels = new TreeMap<>(Map.of("policy", policy, "seed", Long.toString(seed)));
                    if (sweep) {
                        labels.put(FRACTION, fractionLabel(fraction));
                    }
                    if (domain != null) {
                        labels.put(DOMAIN, domain);
                    }
                    if (f.budgets() != null) {
                        labels.put(BUDGET, budget);
                    }
                    Node n = finetune(exp, spec, all, data, pretrain, policy, seed, ExperimentSpec.ABLATION,
                            Map.copyOf(labels), sweep ? fraction : null, budget);
                    nodes.putIfAbsent(n.runId(), n);
                }
            }
        }
    }

    /** The labels of an ablation run's cell: its label fraction, domain and fine-tune budget. */
    public static final String FRACTION = "fraction";
    public static final String DOMAIN = "domain";
    public static final String BUDGET = "budget";

    /**
     * The order in which runs that are ready together are issued: the run more runs wait for (directly or through
     * others) first, plan order among equals. Workers take requests roughly in the order they arrive, so a seed's
     * pretraining goes before another seed's fine-tunes, and the distillation teacher before the ablation's
     * fine-tunes: what waits on them can start on the other services sooner.
     */
    public static List<Node> issueOrder(List<Node> plan) {
        Map<String, List<String>> dependents = new LinkedHashMap<>();
        for (Node n : plan) {
            n.needs().forEach(need -> dependents.computeIfAbsent(need, k -> new ArrayList<>()).add(n.runId()));
        }
        Map<String, Integer> waiting = new HashMap<>();
        for (Node n : plan) {
            Set<String> seen = new HashSet<>();
            ArrayDeque<String> todo = new ArrayDeque<>(dependents.getOrDefault(n.runId(), List.of()));
            while (!todo.isEmpty()) {
                String d = todo.pop();
                if (seen.add(d)) {
                    todo.addAll(dependents.getOrDefault(d, List.of()));
                }
            }
            waiting.put(n.runId(), seen.size());
        }
        List<Node> order = new ArrayList<>(plan);
        order.sort(Comparator.comparingInt((Node n) -> waiting.get(n.runId())).reversed());
        return List.copyOf(order);
    }

    /**
     * A run's id: what it computes ({@link RunIds#shared}: parameters, parents' ids, datasets with their content
     * hashes), so another experiment asking for the same computation gets the same run; with the spec's
     * {@code fresh}, the experiment's own ({@link RunIds#fresh}).
     */
    private static String id(String exp, ExperimentSpec spec, Stage stage, Map<String, ?> parameters) {
        return RunIds.of(spec.runsFresh() ? RunIds.fresh(exp) : RunIds.shared(), stage, new TreeMap<>(parameters));
    }

    /** The requested precision joins a run's identity only when it is not fp32: older ids stay valid. */
    private static void withPrecision(Map<String, Object> identity, dev.simclr.contracts.Precision precision) {
        if (precision != null) {
            identity.put("precision", precision);
        }
    }

    /** A dataset as identities name it: name, version and content hash. */
    private static Map<String, String> input(Datasets data, DatasetRef ref) {
        return Map.of("name", ref.name(), "version", ref.version(), "sha256", data.content(ref));
    }

    /**
     * The pretraining run, last; before it, when its views come from augment-service, the augment run that writes
     * them. Both are issued at once: augment-service keeps a bounded look-ahead of shards in front of the trainer.
     */
    private static List<Node> pretrain(String exp, ExperimentSpec spec, ExperimentSpec.Pretrain p, Datasets all,
                                       DatasetRef data, EncoderSpec encoder, long runSeed) {
        // the same node for every seed when pretraining is shared
        return pretrainAt(exp, spec, p, all, data, encoder, p.seedFor(runSeed), null, null);
    }

    /**
     * The distillation students' frozen base: the teacher's own pretraining ({@code base} "teacher's"), another
     * architecture's pretraining ("own"), or the same architecture pretrained independently ("independent").
     */
    public static final String TEACHERS_BASE = "teacher's";
    public static final String OWN_BASE = "own";
    public static final String INDEPENDENT_BASE = "independent";
    /** Added to a pretraining seed for the independent base of the same-architecture control: a seed nothing else uses. */
    public static final long INDEPENDENT_SEED_OFFSET = 1_000_000;

    /** The seed of the pretraining independent of the one of seed {@code pretrainSeed}. */
    public static long independentSeed(long pretrainSeed) {
        return pretrainSeed + INDEPENDENT_SEED_OFFSET;
    }

    /**
     * {@code base}: labels the pretraining as a distillation control's base (null: a study's encoder);
     * {@code domain}: as the encoder of an ablation domain (null: the main dataset's).
     */
    private static List<Node> pretrainAt(String exp, ExperimentSpec spec, ExperimentSpec.Pretrain p, Datasets all,
                                         DatasetRef data, EncoderSpec encoder, long seed, String base, String domain) {
        String runId = id(exp, spec, Stage.PRETRAIN, Map.of("encoder", encoder, "seed", seed, "dataset",
                input(all, data), "pretrain", p));
        Map<String, String> named = new TreeMap<>(Map.of("seed", Long.toString(seed), "encoder", name(encoder)));
        if (base != null) {
            named.put("base", base);
        }
        if (domain != null) {
            named.put(DOMAIN, domain);
        }
        Map<String, String> labels = Map.copyOf(named);
        String augmentRunId = p.viewsFromAugmentService() ? id(exp, spec, Stage.AUGMENT, Map.of("for", runId)) : null;
        Node pretrain = new Node(runId, Stage.PRETRAIN, "pretrain", labels, List.of(),
                done -> new TrainRequested(Event.SCHEMA_VERSION, exp, runId, Stage.PRETRAIN, data, encoder,
                        p.projectionLayers(), p.policy(), 1.0, p.batchSize(), p.epochs(), p.optimizer(),
                        p.temperature(), seed, false, null, augmentRunId, p.precision()));
        if (augmentRunId == null) {
            return List.of(pretrain);
        }
        Node augment = new Node(augmentRunId, Stage.AUGMENT, "pretrain", labels, List.of(),
                done -> new AugmentRequested(Event.SCHEMA_VERSION, exp, augmentRunId, data, "train", p.policy(),
                        p.epochs(), seed, 2, p.batchSize(), AUGMENT_LOOKAHEAD_EPOCHS, null, null));
        return List.of(augment, pretrain);
    }

    /** "10 %": how reports name a label fraction. */
    public static String fractionLabel(double fraction) {
        String pct = java.math.BigDecimal.valueOf(fraction * 100).stripTrailingZeros().toPlainString();
        return pct + " %";
    }

    /**
     * {@code fraction}: the sweep's label fraction (part of the run's identity), or null for the spec's own;
     * {@code budget}: {@code best-validation} (its cap and patience join the identity) or the fixed one (null too).
     */
    private static Node finetune(String exp, ExperimentSpec spec, Datasets all, DatasetRef data, Node pretrain,
                                 String policy, long seed, String study, Map<String, String> labels, Double fraction,
                                 String budget) {
        ExperimentSpec.Finetune f = spec.finetune();
        double labelFraction = fraction != null ? fraction : f.labelFraction();
        Integer patience = ExperimentSpec.Finetune.BEST_VALIDATION.equals(budget) ? f.patienceEpochs() : null;
        int epochs = patience != null ? f.maxEpochs() : f.epochs();
        // what the run computes, not the study around it: another policy list or sweep leaves this run's id alone.
        // The seed is part of every identity: with a shared pretraining, "from" alone does not tell seeds apart
        Map<String, Object> identity = new LinkedHashMap<>(Map.of("from", pretrain.runId(), "policy", policy, "seed",
                seed, "dataset", input(all, data), "labelFraction", labelFraction, "epochs", epochs, "batchSize",
                f.batchSize(), "optimizer", f.optimizer()));
        withPrecision(identity, f.precision());
        if (patience != null) {
            identity.put("patienceEpochs", patience); // the fixed budget's ids stay those stored before budgets
        }
        String runId = id(exp, spec, Stage.FINETUNE, identity);
        return new Node(runId, Stage.FINETUNE, study, labels, List.of(pretrain.runId()),
                done -> new TrainRequested(Event.SCHEMA_VERSION, exp, runId, Stage.FINETUNE, data, spec.encoder(),
                        spec.pretrain().projectionLayers(), policy, labelFraction, f.batchSize(), epochs,
                        f.optimizer(), spec.pretrain().temperature(), seed, false,
                        done.get(pretrain.runId()).checkpointKey(), null, f.precision(), patience));
    }

    /** {@code baseLabel}: which frozen base ({@link #TEACHERS_BASE}, {@link #OWN_BASE}, {@link #INDEPENDENT_BASE}). */
    private static Node distill(String exp, ExperimentSpec spec, Datasets all, DatasetRef data, Node teacher, Node base,
                                EncoderSpec student, DistillMode mode, long seed, String baseLabel) {
        ExperimentSpec.Distill d = spec.distill();
        // what the run computes: the other students, modes and the teacher's policy name are not part of it
        Map<String, Object> identity = new java.util.LinkedHashMap<>(Map.of("teacher", teacher.runId(), "student",
                student, "mode", mode, "seed", seed, "dataset", input(all, data), "temperature", d.temperature(),
                "alpha", d.alpha(), "epochs", d.epochs(), "batchSize", d.batchSize(), "patienceEpochs",
                d.patienceEpochs()));
        identity.put("optimizer", d.optimizer());
        // the teacher's logits are computed on each step's batch, not cached in chunks of 512 (the last bit may
        // differ): distillation runs stored before that are not reused; the other stages are unchanged
        identity.put("teacherLogits", "per-step");
        if (mode == DistillMode.FROZEN_BASE) {
            identity.put("denseHidden", d.denseHidden());
        }
        if (base != null) {
            identity.put("base", base.runId());
        }
        withPrecision(identity, d.precision());
        String runId = id(exp, spec, Stage.DISTILL, identity);
        List<String> needs = base == null ? List.of(teacher.runId()) : List.of(teacher.runId(), base.runId());
        Map<String, String> labels = baseLabel == null ? Map.of("student", name(student), "mode", mode.wireName(),
                "seed", Long.toString(seed)) : Map.of("student", name(student), "mode", mode.wireName(), "seed",
                Long.toString(seed), "base", baseLabel);
        return new Node(runId, Stage.DISTILL, ExperimentSpec.DISTILLATION, labels, needs,
                done -> new DistillRequested(Event.SCHEMA_VERSION, exp, runId,
                        done.get(teacher.runId()).checkpointKey(), student, mode,
                        mode == DistillMode.FROZEN_BASE ? d.denseHidden() : List.of(), d.temperature(), d.alpha(), data,
                        data, d.batchSize(), d.epochs(), d.patienceEpochs(), d.optimizer(), seed,
                        base == null ? null : done.get(base.runId()).checkpointKey(), d.precision()));
    }

    private static Node linear(String exp, ExperimentSpec spec, Datasets all, String domain, DatasetRef data,
                               int classes, Node pretrain, int batch, int epochs, long seed) {
        Map<String, Object> identity = new LinkedHashMap<>(Map.of("from", pretrain.runId(), "dataset",
                input(all, data), "batch", batch, "epochs", epochs, "seed", seed, "headLearningRates",
                EvalRequested.HEAD_LEARNING_RATES));
        withPrecision(identity, spec.transfer().precision());
        String runId = id(exp, spec, Stage.EVAL, identity);
        Map<String, String> labels = Map.of("classes", Integer.toString(classes), "batch", Integer.toString(batch),
                "dataset", data.name(), "domain", domain, "seed", Long.toString(seed));
        return new Node(runId, Stage.EVAL, ExperimentSpec.TRANSFER, labels,
                List.of(pretrain.runId()), done -> new EvalRequested(Event.SCHEMA_VERSION, exp, runId, EvalKind.TRANSFER,
                done.get(pretrain.runId()).checkpointKey(), data, batch, epochs, seed, spec.transfer().precision()));
    }

    /** What a transfer row is worth without SimCLR: logistic regression on the raw pixels, at the largest batch. */
    public static final String BASELINE = "baseline";
    public static final String RAW_PIXELS = "raw pixels";

    private static Node pixels(String exp, ExperimentSpec spec, Datasets all, String domain, DatasetRef data,
                               int classes, long seed, Integer trainImages) {
        int batch = java.util.Collections.max(spec.transfer().batchSizes());
        int epochs = spec.transfer().epochsFor(batch, trainImages);
        String runId = id(exp, spec, Stage.EVAL, Map.of("pixels", input(all, data), "batch", batch, "epochs", epochs,
                "seed", seed, "headLearningRates", EvalRequested.HEAD_LEARNING_RATES));
        Map<String, String> labels = Map.of("classes", Integer.toString(classes), "dataset", data.name(), "domain",
                domain, "seed", Long.toString(seed), BASELINE, RAW_PIXELS);
        return new Node(runId, Stage.EVAL, ExperimentSpec.TRANSFER, labels, List.of(),
                done -> new EvalRequested(Event.SCHEMA_VERSION, exp, runId, EvalKind.PIXELS, "", data, batch, epochs,
                        seed));
    }

    public static String name(EncoderSpec e) {
        return CheckpointMeta.describe(e);
    }
}
