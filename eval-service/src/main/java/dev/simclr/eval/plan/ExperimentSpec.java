package dev.simclr.eval.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.DistillMode;
import dev.simclr.contracts.Wire;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.Json;
import dev.simclr.contracts.OptimizerSpec;
import dev.simclr.contracts.Precision;
import dev.simclr.core.augment.AugmentPolicy;
import dev.simclr.core.requests.RequestChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a recipe asks for (one scale of a file in {@code recipes/}): the studies to run, the seeds, the dataset and
 * the share of it to use ({@code sample}; {@code testSample}, when given, for the test split instead — 1 scores every
 * run on the whole test split), the encoder, and each study's parameters. {@link #problems} names every
 * mistake at once.
 */
public record ExperimentSpec(List<String> studies, List<Long> seeds, DatasetRef dataset, Double sample,
                             Double testSample, EncoderSpec encoder, Pretrain pretrain, Finetune finetune, Distill distill,
                             Transfer transfer,
                             @com.fasterxml.jackson.annotation.JsonInclude(
                                     com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Boolean fresh) {

    /**
     * {@code fresh: true}: every run of this experiment is its own (its id includes the experiment's), never one
     * another experiment finished — e.g. to measure a run again, or to compare two executions. Without it, a run
     * whose computation another experiment already finished is answered from that run's stored result.
     */
    public boolean runsFresh() {
        return Boolean.TRUE.equals(fresh);
    }

    public static final String ABLATION = "augmentation-ablation";
    public static final String DISTILLATION = "distillation-architecture";
    public static final String TRANSFER = "transfer-classes-batch";
    public static final Set<String> STUDIES = Set.of(ABLATION, DISTILLATION, TRANSFER);
    /** Runs one experiment may plan: more is a mistake, not a plan. */
    public static final int MAX_RUNS = 500;

    /**
     * {@code views}: where the two views per image come from — {@code in-process} (the default: the trainer
     * augments) or {@code augment-service} (an augment run writes view shards ahead of the trainer).
     * {@code seed} (optional): one pretraining with this seed shared by every seed's runs that follow it — the
     * findings are about what follows pretraining, and a seed pair then differs only in fine-tuning, distillation or
     * evaluation; without it each seed pretrains its own encoder. {@code dataset} (optional): the images to pretrain on,
     * whole (no {@code sample}) — e.g. an unlabelled import; without it, the main dataset (sampled).
     * {@code precision} (optional, every stage has its own): {@code fp32} (the default), {@code bf16} or
     * {@code auto} ({@link Precision}).
     * {@code seeds} (optional, instead of {@code seed}): independent pretrainings, one encoder per seed, each crossed
     * with every study seed — the findings then say for how many encoders they hold.
     */
    public record Pretrain(int epochs, int batchSize, String policy, double temperature, int projectionLayers,
                           OptimizerSpec optimizer, String views, Long seed,
                           // absent from run identities when not given: ids of specs without it stay as they were
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) DatasetRef dataset,
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Precision precision,
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) List<Long> seeds) {
        public static final Set<String> VIEWS = Set.of("in-process", "augment-service");

        public Pretrain {
            precision = requested(precision);
        }

        /**
         * The one encoder of pretraining seed {@code encoderSeed} among {@code seeds}: this pretraining as if the spec
         * had said {@code seed: encoderSeed} — the same run, under the same id, as a spec with that shared seed.
         */
        public Pretrain encoder(long encoderSeed) {
            return new Pretrain(epochs, batchSize, policy, temperature, projectionLayers, optimizer, views, encoderSeed,
                    dataset, precision, null);
        }

        /** Whether the spec asks for independent pretrainings ({@code seeds}). */
        public boolean independentEncoders() {
            return seeds != null;
        }

        public boolean viewsFromAugmentService() {
            return "augment-service".equals(views);
        }

        /** What pretraining reads: {@code dataset}, or the plan's (sampled) main dataset. */
        public DatasetRef datasetOr(DatasetRef main) {
            return dataset != null ? dataset : main;
        }

        /** The seed of the pretraining that {@code seed}'s runs start from. */
        public long seedFor(long seed) {
            return this.seed != null ? this.seed : seed;
        }
    }

    /**
     * {@code labelFractions} (optional): the ablation as a sweep over label fractions (e.g. SimCLR's 0.01, 0.1, 1.0),
     * class-balanced, seeded and nested — for a seed the 1 % lies inside the 10 % — a column per fraction;
     * without it, every fine-tune uses {@code labelFraction}.
     * {@code budgets} (optional): how long the ablation's fine-tunes train — {@code fixed} ({@code epochs}, every one)
     * and/or {@code best-validation} (to the best epoch on a validation split carved from the labelled images, at most
     * {@code maxEpochs}, stopping after {@code patienceEpochs} without a better one); without it, {@code fixed} only.
     * {@code domains} (optional): the datasets the ablation fine-tunes on, each from its own pretraining on that
     * dataset (same pretraining settings; sampled like the main one, or whole when {@code pretrain.dataset} names the
     * main dataset), e.g. grey Fashion-MNIST and {@code fashion-mnist-colour}; without it, the main dataset. The ablation's findings are drawn per cell (domain, budget, label fraction).
     */
    public record Finetune(int epochs, int batchSize, double labelFraction, List<String> policies,
                           OptimizerSpec optimizer, List<Double> labelFractions,
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Precision precision,
                           // no run identity holds a Finetune whole (a fine-tune's names its fields): plain fields
                           List<String> budgets, Integer maxEpochs, Integer patienceEpochs, List<Domain> domains) {
        public static final String FIXED = "fixed";
        public static final String BEST_VALIDATION = "best-validation";
        public static final List<String> BUDGETS = List.of(FIXED, BEST_VALIDATION);

        public Finetune {
            precision = requested(precision);
        }

        /** The fractions the ablation fine-tunes at. */
        public List<Double> fractions() {
            return labelFractions == null || labelFractions.isEmpty() ? List.of(labelFraction) : labelFractions;
        }

        /** The budgets the ablation fine-tunes with: {@code budgets}, or the fixed one. */
        public List<String> budgetList() {
            return budgets == null ? List.of(FIXED) : budgets;
        }
    }

    /**
     * A domain of the ablation: an imported dataset ({@code name}, {@code version}), sampled like the main one, and
     * {@code label} (optional, e.g. "grey"), how findings and tables name it — the dataset's name without it.
     */
    public record Domain(String name, String version, String label) {
        @com.fasterxml.jackson.annotation.JsonIgnore
        public DatasetRef ref() {
            return new DatasetRef(name, version);
        }

        /** How the domain is named in labels, finding ids and tables. */
        public String tag() {
            return label != null ? label : name;
        }
    }

    public record Distill(String teacherPolicy, List<EncoderSpec> students, List<DistillMode> modes,
                          List<Integer> denseHidden, double temperature, double alpha, int epochs, int batchSize,
                          int patienceEpochs, OptimizerSpec optimizer,
                          @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Precision precision) {
        public Distill {
            precision = requested(precision);
        }
    }

    /**
     * A stage's precision as identities and requests carry it: null for fp32 (given or not), so the run ids of specs
     * that say nothing, or {@code fp32}, stay those of the runs stored before precision existed.
     */
    static Precision requested(Precision p) {
        return p == Precision.FP32 ? null : p;
    }

    /**
     * Linear evaluation of each seed's pretrained encoder on the first k classes of the main dataset for every k of
     * {@code classCounts}, at every batch size; {@code datasets} (optional) adds other domains — any imported
     * dataset whose images have the main dataset's channels, e.g. sklearn's digits — with the same class counts
     * (or their own), each its own rows in the table.
     */
    public record Transfer(List<Integer> classCounts, List<Integer> batchSizes, int epochs,
                           List<TransferDataset> datasets, Integer steps, Boolean pixelBaseline,
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) List<Long> seeds,
                           @com.fasterxml.jackson.annotation.JsonInclude(
                                   com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Precision precision) {
        /** {@code precision}: of the encoder's features (the logistic regression on them stays fp32). */
        public Transfer {
            precision = requested(precision);
        }

        /** Whether each seed's subsets also get logistic regression on raw pixels (a "raw pixels" column). */
        public boolean withPixelBaseline() {
            return Boolean.TRUE.equals(pixelBaseline);
        }

        /**
         * Epochs of a run at {@code batch} on {@code trainImages}: {@code epochs}, or with {@code steps} the epochs
         * that come nearest to that many optimiser steps (at least one), so every batch size trains for the same
         * number of steps, as the reference's fixed number of iterations did.
         */
        public int epochsFor(int batch, Integer trainImages) {
            if (steps == null || trainImages == null || trainImages <= 0) {
                return epochs;
            }
            double perEpoch = Math.ceil(trainImages / (double) batch);
            return (int) Math.max(1, Math.round(steps / perEpoch));
        }
    }

    /**
     * Another domain for the transfer study: {@code sample} of every split (default 1, the whole dataset; the main
     * dataset's {@code sample} is not applied here), {@code classCounts} instead of the study's when given.
     */
    public record TransferDataset(String name, String version, Double sample, List<Integer> classCounts) {
        @com.fasterxml.jackson.annotation.JsonIgnore
        public DatasetRef ref() {
            return new DatasetRef(name, version);
        }
    }

    /**
     * The seeds of the transfer study: {@code transfer.seeds} when given (linear evaluations are cheap, and a class
     * subset drawn per seed varies more than a fine-tuning does, so the study may take more seeds than the others),
     * else the spec's {@code seeds}.
     */
    public List<Long> transferSeeds() {
        return transfer != null && transfer.seeds() != null ? transfer.seeds() : seeds;
    }

    /** Every seed some study of the spec runs: {@code seeds}, then the transfer study's others, in order. */
    public List<Long> allSeeds() {
        java.util.LinkedHashSet<Long> all = new java.util.LinkedHashSet<>(seeds);
        if (studies != null && studies.contains(TRANSFER)) {
            all.addAll(transferSeeds());
        }
        return List.copyOf(all);
    }

    /** At most this many seeds, class counts, batch sizes, policies, students, modes or transfer datasets. */
    public static final int MAX_LIST = 100;

    /**
     * Reads a spec strictly ({@link Json#STRICT}: no strings for numbers, no misspelt fields, no nulls in lists); a
     * spec that is not the right shape gets one problem naming the field.
     */
    public static ExperimentSpec read(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("spec: expected an object");
        }
        try {
            return Json.STRICT.treeToValue(node, ExperimentSpec.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(Json.problem("spec", e));
        } catch (RuntimeException | StackOverflowError e) {
            throw new IllegalArgumentException("spec: cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** {@code finetune.budgets} and the best-validation budget's cap and patience. */
    private void budgetProblems(RequestChecks c) {
        List<String> budgets = finetune.budgets();
        if (budgets != null) {
            c.require(!budgets.isEmpty() && budgets.stream().distinct().count() == budgets.size(),
                    "finetune.budgets: one or more of " + Finetune.BUDGETS + ", each once (or leave it out: "
                            + Finetune.FIXED + ")");
            budgets.stream().filter(b -> !Finetune.BUDGETS.contains(b)).forEach(b -> c.require(false,
                    "finetune.budgets: unknown budget '" + b + "' (one of " + Finetune.BUDGETS + ")"));
        }
        boolean best = budgets != null && budgets.contains(Finetune.BEST_VALIDATION);
        if (best) {
            c.require(finetune.maxEpochs() != null, "finetune.maxEpochs: the " + Finetune.BEST_VALIDATION
                    + " budget needs its cap, e.g. 30").require(finetune.patienceEpochs() != null,
                    "finetune.patienceEpochs: the " + Finetune.BEST_VALIDATION + " budget needs its patience, e.g. 5");
            if (finetune.maxEpochs() != null) {
                c.epochs("finetune.maxEpochs", finetune.maxEpochs());
            }
            if (finetune.patienceEpochs() != null) {
                c.range("finetune.patienceEpochs", finetune.patienceEpochs(), 1, RequestChecks.MAX_EPOCHS);
            }
        } else {
            // one problem per field: every problem starts with the one field it is about
            String unused = ": only the " + Finetune.BEST_VALIDATION + " budget uses it (add it to finetune.budgets, "
                    + "or leave this out)";
            c.require(finetune.maxEpochs() == null, "finetune.maxEpochs" + unused);
            c.require(finetune.patienceEpochs() == null, "finetune.patienceEpochs" + unused);
        }
    }

    /** {@code finetune.domains}: datasets named once each, told apart by their labels. */
    private void domainProblems(RequestChecks c) {
        List<Domain> domains = finetune.domains();
        if (domains == null) {
            return;
        }
        c.require(!domains.isEmpty() && domains.size() <= MAX_LIST, "finetune.domains: from 1 to " + MAX_LIST
                + " datasets (or leave it out: the main dataset)");
        for (int i = 0; i < domains.size(); i++) {
            Domain d = domains.get(i);
            String f = "finetune.domains[" + i + "]";
            if (d == null) {
                c.require(false, f + ": null");
                continue;
            }
            c.dataset(f, d.ref());
            if (d.label() != null) {
                c.name(f + ".label", d.label());
            }
        }
        List<Domain> given = domains.stream().filter(java.util.Objects::nonNull).toList();
        c.require(given.stream().map(Domain::ref).distinct().count() == given.size(),
                        "finetune.domains: a dataset is named twice")
                .require(given.stream().map(Domain::tag).distinct().count() == given.size(),
                        "finetune.domains: two domains have one label")
                .require(pretrain == null || pretrain.dataset() == null || pretrain.dataset().equals(dataset),
                        "pretrain.dataset: with finetune.domains each domain is pretrained on its own images; "
                        + "pretrain.dataset may only name the main dataset (then every domain pretrains on its "
                        + "whole dataset, unsampled), or leave it out");
    }

    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (studies == null || studies.isEmpty()) {
            p.add("studies: name one or more of " + STUDIES);
        } else {
            studies.stream().filter(s -> !STUDIES.contains(s)).forEach(s -> p.add("studies: unknown study '" + s
                    + "' (one of " + STUDIES + ")"));
        }
        if (seeds == null || seeds.isEmpty()) {
            p.add("seeds: give at least one seed (three or more for confidence intervals)");
        } else if (seeds.size() > MAX_LIST || seeds.stream().distinct().count() < seeds.size()) {
            p.add("seeds: at most " + MAX_LIST + ", each once");
        }
        if (transfer != null && transfer.seeds() != null && (transfer.seeds().isEmpty()
                || transfer.seeds().size() > MAX_LIST || transfer.seeds().stream().distinct().count()
                < transfer.seeds().size())) {
            p.add("transfer.seeds: from 1 to " + MAX_LIST + " seeds, each once (or leave it out: the spec's seeds)");
        }
        for (var list : java.util.Arrays.asList(studies, finetune == null ? null : finetune.policies(),
                distill == null ? null : distill.students(), distill == null ? null : distill.modes(),
                transfer == null ? null : transfer.classCounts(), transfer == null ? null : transfer.batchSizes(),
                transfer == null ? null : transfer.datasets())) {
            if (list != null && list.size() > MAX_LIST) {
                p.add("spec: a list of " + list.size() + " entries, at most " + MAX_LIST + " allowed");
            }
        }
        if (sample != null && !(sample > 0 && sample <= 1)) {
            p.add("sample: " + sample + " is outside (0, 1]");
        }
        if (testSample != null && !(testSample > 0 && testSample <= 1)) {
            p.add("testSample: " + testSample + " is outside (0, 1]");
        }
        RequestChecks c = new RequestChecks().dataset("dataset", dataset).encoder("encoder", encoder);
        if (pretrain == null) {
            p.add("pretrain: missing");
        } else {
            c.epochs("pretrain.epochs", pretrain.epochs())
                    .range("pretrain.temperature", pretrain.temperature(), 0, RequestChecks.MAX_TEMPERATURE)
                    .batchSize("pretrain.batchSize", pretrain.batchSize())
                    .require(pretrain.projectionLayers() == 2 || pretrain.projectionLayers() == 3,
                            "pretrain.projectionLayers: " + pretrain.projectionLayers() + " (2 or 3)")
                    .policy("pretrain.policy", pretrain.policy()).optimizer("pretrain.optimizer", pretrain.optimizer())
                    .require(pretrain.views() == null || Pretrain.VIEWS.contains(pretrain.views()),
                            "pretrain.views: one of " + Pretrain.VIEWS + ", got '" + pretrain.views() + "'");
            if (pretrain.dataset() != null) {
                c.dataset("pretrain.dataset", pretrain.dataset());
            }
            if (pretrain.seeds() != null) {
                c.require(pretrain.seed() == null, "pretrain: give seed (one encoder every seed shares) or seeds "
                        + "(independent encoders, each crossed with every seed), not both")
                        .require(!pretrain.seeds().isEmpty() && pretrain.seeds().size() <= MAX_LIST
                                && pretrain.seeds().stream().distinct().count() == pretrain.seeds().size(),
                                "pretrain.seeds: from 1 to " + MAX_LIST + " seeds, each once (or leave it out)");
            }
        }
        boolean needsFinetune = studies != null && (studies.contains(ABLATION) || studies.contains(DISTILLATION));
        if (needsFinetune && finetune == null) {
            p.add("finetune: missing (the " + ABLATION + " and " + DISTILLATION + " studies fine-tune)");
        } else if (finetune != null) {
            if (finetune.labelFractions() != null) {
                finetune.labelFractions().forEach(x -> c.fraction("finetune.labelFractions", x));
                c.require(finetune.labelFractions().stream().distinct().count() == finetune.labelFractions().size(),
                        "finetune.labelFractions: each fraction once");
            }
            c.epochs("finetune.epochs", finetune.epochs()).fraction("finetune.labelFraction", finetune.labelFraction())
                    .batchSize("finetune.batchSize", finetune.batchSize())
                    .optimizer("finetune.optimizer", finetune.optimizer());
            if (studies != null && studies.contains(ABLATION)
                    && (finetune.policies() == null || finetune.policies().isEmpty())) {
                p.add("finetune.policies: the ablation needs the policies to compare, e.g. " + AugmentPolicy.NAMED);
            }
            if (finetune.policies() != null) {
                finetune.policies().forEach(x -> c.policy("finetune.policies", x));
            }
            budgetProblems(c);
            domainProblems(c);
        }
        if (studies != null && studies.contains(DISTILLATION)) {
            if (distill == null) {
                p.add("distill: missing");
            } else {
                c.policy("distill.teacherPolicy", distill.teacherPolicy())
                        .epochs("distill.epochs", distill.epochs())
                        .range("distill.temperature", distill.temperature(), 0, RequestChecks.MAX_TEMPERATURE)
                        .require(distill.alpha() >= 0 && distill.alpha() <= 1, "distill.alpha: outside [0, 1]")
                        .batchSize("distill.batchSize", distill.batchSize())
                        .range("distill.patienceEpochs", distill.patienceEpochs(), 1, RequestChecks.MAX_EPOCHS)
                        .require(distill.denseHidden() == null || (distill.denseHidden().size() <= 8
                                && distill.denseHidden().stream().allMatch(h -> h > 0 && h <= 65_536)),
                                "distill.denseHidden: at most 8 layers, each of 1 to 65536 units")
                        .optimizer("distill.optimizer", distill.optimizer())
                        .require(distill.students() != null && !distill.students().isEmpty(), "distill.students: none")
                        .require(distill.modes() != null && !distill.modes().isEmpty(),
                                "distill.modes: one or more of " + Wire.names(DistillMode.class));
                if (distill.students() != null) {
                    distill.students().forEach(s -> c.encoder("distill.students", s));
                }
            }
        }
        if (studies != null && studies.contains(TRANSFER)) {
            if (transfer == null) {
                p.add("transfer: missing");
            } else {
                c.epochs("transfer.epochs", transfer.epochs())
                        .require(transfer.steps() == null || (transfer.steps() >= 1
                                && transfer.steps() <= RequestChecks.MAX_EPOCHS * 100L),
                                "transfer.steps: from 1 to " + RequestChecks.MAX_EPOCHS * 100L)
                        .require(transfer.classCounts() != null && !transfer.classCounts().isEmpty()
                                && transfer.classCounts().stream().allMatch(k -> k >= 2 && k <= 100_000),
                                "transfer.classCounts: numbers of classes, each from 2 to 100000")
                        .require(transfer.batchSizes() != null && !transfer.batchSizes().isEmpty()
                                && transfer.batchSizes().stream().allMatch(b -> b >= 2 && b <= RequestChecks.MAX_BATCH),
                                "transfer.batchSizes: batch sizes, each from 2 to " + RequestChecks.MAX_BATCH);
                if (transfer.datasets() != null) {
                    for (int i = 0; i < transfer.datasets().size(); i++) {
                        TransferDataset d = transfer.datasets().get(i);
                        String f = "transfer.datasets[" + i + "]";
                        if (d == null) {
                            p.add(f + ": null");
                            continue;
                        }
                        c.dataset(f, d.ref())
                                .require(d.sample() == null || (d.sample() > 0 && d.sample() <= 1),
                                        f + ".sample: " + d.sample() + " is outside (0, 1]")
                                .require(d.classCounts() == null || (!d.classCounts().isEmpty()
                                        && d.classCounts().stream().allMatch(k -> k >= 2 && k <= 100_000)),
                                        f + ".classCounts: numbers of classes, each from 2 to 100000")
                                .require(dataset == null || !d.ref().equals(dataset), f + ": " + d.name()
                                        + " is the main dataset, already in the study");
                    }
                    if (transfer.datasets().stream().filter(java.util.Objects::nonNull).map(TransferDataset::name)
                            .distinct().count() < transfer.datasets().stream().filter(java.util.Objects::nonNull)
                            .count()) {
                        p.add("transfer.datasets: a dataset is named twice");
                    }
                }
            }
        }
        p.addAll(c.problems());
        return p;
    }
}
