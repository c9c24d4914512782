package dev.simclr.eval.report;

import dev.simclr.contracts.RunCompleted;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.eval.plan.Planner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * The verdict on each of the reference's findings: a paired difference across seeds (the same seed is the same
 * pretrained encoder and data order in both conditions), its mean and 95 % confidence interval (Student's t on the
 * paired differences), and the word — {@code confirmed} when the interval lies on the reference's side of zero,
 * {@code refuted} when it lies on the other, {@code inconclusive} when it holds zero (or fewer than two seeds).
 */
public final class Findings {
    private Findings() {}

    public static final String CONFIRMED = "confirmed";
    public static final String REFUTED = "refuted";
    public static final String INCONCLUSIVE = "inconclusive";
    /** A verdict that rests on a degenerate run ({@link Health}): neither confirmed nor refuted, whatever its interval. */
    public static final String INVALID = "invalid";

    /**
     * {@code claim}: what the reference found, as "A − B > 0"; {@code heldEqual}: what the comparison keeps the same.
     * Differences in accuracy points (0–1 scale, like every metric here). {@code invalid}: the degenerate run the
     * verdict rests on and why (then {@code verdict} is {@link #INVALID}), or null.
     */
    public record Finding(String id, String study, String claim, String heldEqual, int seeds, Double mean,
                          Double ci95, String verdict, String invalid, List<Finding> perEncoder) {
        public Finding(String id, String study, String claim, String heldEqual, int seeds, Double mean, Double ci95,
                       String verdict) {
            this(id, study, claim, heldEqual, seeds, mean, ci95, verdict, null, null);
        }

        /**
         * {@code perEncoder}: with independent pretrainings, this finding within each encoder (its seeds' paired
         * differences); this one is then across them (its {@code seeds} counts encoders). Null with one encoder.
         */
        public Finding {
            perEncoder = perEncoder == null ? null : List.copyOf(perEncoder);
        }

        /** How many encoders' own verdicts are {@link #CONFIRMED} (with independent pretrainings). */
        public int holdsFor() {
            return perEncoder == null ? 0 : (int) perEncoder.stream().filter(f -> CONFIRMED.equals(f.verdict())).count();
        }

        public String text() {
            if (mean == null) {
                return INCONCLUSIVE + " (not measured: no seed ran both sides of the comparison)";
            }
            String diff = ci95 == null ? String.format(java.util.Locale.ROOT, "%+.1f", 100 * mean)
                    : String.format(java.util.Locale.ROOT, "%+.1f ± %.1f", 100 * mean, 100 * ci95);
            String unit = perEncoder == null ? " seed" : " encoder";
            String measured = diff + " points over " + seeds + unit + (seeds == 1 ? "" : "s");
            if (perEncoder != null) {
                measured += "; holds for " + holdsFor() + " of " + perEncoder.size() + " encoders ("
                        + String.join(", ", perEncoder.stream().map(f -> f.id() + " " + (f.invalid() != null
                        ? INVALID : f.verdict()) + (f.mean() == null ? "" : String.format(java.util.Locale.ROOT,
                        " %+.1f", 100 * f.mean()))).toList()) + ")";
            }
            return invalid != null ? INVALID + ": " + invalid + " (as measured: " + measured + ")"
                    : verdict + ": " + measured;
        }

        /** This finding resting on the degenerate runs {@code bad} (none: unchanged). */
        Finding restingOn(List<String> bad, Health health) {
            return bad.isEmpty() ? this : new Finding(id, study, claim, heldEqual, seeds, mean, ci95, INVALID,
                    health.invalid(bad), perEncoder);
        }
    }

    /** The paired test of {@code differences} (one per seed) against the claim "difference > 0". */
    public static Finding verdict(String id, String study, String claim, String heldEqual, List<Double> differences) {
        int n = differences.size();
        if (n == 0) {
            return new Finding(id, study, claim, heldEqual, 0, null, null, INCONCLUSIVE);
        }
        double mean = differences.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        if (n < 2) {
            return new Finding(id, study, claim, heldEqual, n, mean, null, INCONCLUSIVE);
        }
        double var = differences.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (n - 1);
        double ci = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(var / n);
        String verdict = mean - ci > 0 ? CONFIRMED : mean + ci < 0 ? REFUTED : INCONCLUSIVE;
        return new Finding(id, study, claim, heldEqual, n, mean, ci, verdict);
    }

    /**
     * Every finding the experiment's studies can speak to; one that rests on a degenerate run (or a run made from
     * one) is {@link #INVALID}. With independent pretrainings ({@code pretrain.seeds}): each finding within every
     * encoder (the paired differences over its seeds: fine-tuning, distillation and evaluation noise, given that
     * encoder), and across encoders — Student's t with n − 1 degrees of freedom on the n encoders' mean differences,
     * the two-stage (summary-statistics) estimate of a nested design: each encoder's mean already averages its seeds'
     * noise, so the spread of those means holds the encoder-to-encoder variance plus that averaged seed variance, and
     * with every encoder crossed with the same seeds it is the exact test of the method's effect over encoders. It
     * asks for no variance-component model, and does not pretend seeds of different encoders are independent pairs.
     */
    public static List<Finding> of(ExperimentSpec spec, List<Planner.Node> plan, Map<String, RunCompleted> results) {
        List<String> encoders = plan.stream().map(n -> n.labels().get(Planner.ENCODER_SEED))
                .filter(java.util.Objects::nonNull).distinct().toList();
        if (encoders.size() < 2) {
            return ofOneEncoder(spec, plan, results);
        }
        Map<String, Map<String, Finding>> byId = new LinkedHashMap<>();
        for (String e : encoders) {
            List<Planner.Node> mine = plan.stream().filter(n -> !n.labels().containsKey(Planner.ENCODER_SEED)
                    || e.equals(n.labels().get(Planner.ENCODER_SEED))).toList();
            for (Finding f : ofOneEncoder(spec, mine, results)) {
                byId.computeIfAbsent(f.id(), k -> new LinkedHashMap<>()).put(e, f);
            }
        }
        List<Finding> out = new ArrayList<>();
        byId.forEach((id, perEncoder) -> {
            List<Finding> each = new ArrayList<>();
            perEncoder.forEach((e, f) -> each.add(new Finding(id + " [encoder " + e + "]", f.study(), f.claim(),
                    f.heldEqual(), f.seeds(), f.mean(), f.ci95(), f.verdict(), f.invalid(), null)));
            Finding first = each.get(0);
            List<Double> means = each.stream().map(Finding::mean).filter(java.util.Objects::nonNull).toList();
            Finding across = verdict(id, first.study(), first.claim(), first.heldEqual().replace("per seed",
                    "per seed within an encoder") + "; across " + each.size() + " independently pretrained encoders, "
                    + "each crossed with the same seeds", means);
            String invalid = each.stream().map(Finding::invalid).filter(java.util.Objects::nonNull).findFirst()
                    .orElse(null);
            out.add(new Finding(id, across.study(), across.claim(), across.heldEqual(), across.seeds(), across.mean(),
                    across.ci95(), invalid != null ? INVALID : across.verdict(), invalid, each));
        });
        return out;
    }

    /** The findings of a plan with one encoder per seed or one shared encoder. */
    private static List<Finding> ofOneEncoder(ExperimentSpec spec, List<Planner.Node> plan,
                                              Map<String, RunCompleted> results) {
        Health health = Health.of(plan, results);
        List<Finding> out = new ArrayList<>();
        Map<Finding, java.util.Set<String>> usedBy = new java.util.IdentityHashMap<>();
        java.util.Set<String> used = new java.util.LinkedHashSet<>();
        if (spec.studies().contains(ExperimentSpec.ABLATION)) {
            // per cell — label fraction, domain and budget, each when the spec varies it ("1a grey/fixed @ 10 %") —
            // else once
            for (Condition cell : Condition.of(plan)) {
                Map<String, Map<String, Double>> bySeed = policies(used, plan, results, cell);
                String held = cell.held(spec);
                add(out, used, usedBy, verdict("1a" + cell.suffix(), ExperimentSpec.ABLATION, ALL_MINUS_NONE
                        + " > 0 (augmenting while fine-tuning helps)", held, paired(bySeed, Findings::allMinusNone)));
                add(out, used, usedBy, verdict("1b" + cell.suffix(), ExperimentSpec.ABLATION, "mean of the pairs "
                        + "(crop+color, flip+crop) − mean of the single operations (crop, flip, color) > 0", held,
                        paired(bySeed, m -> diff(m, List.of("crop+color", "flip+crop"), List.of("crop", "flip",
                        "color")))));
                add(out, used, usedBy, verdict("1c" + cell.suffix(), ExperimentSpec.ABLATION, "mean of the single "
                        + "operations − none > 0", held, paired(bySeed, m -> diff(m, List.of("crop", "flip", "color"),
                        List.of("none")))));
            }
        }
        if (spec.studies().contains(ExperimentSpec.DISTILLATION) && spec.distill() != null) {
            String teacherFamily = spec.encoder().family().wireName();
            for (var mode : spec.distill().modes()) {
                boolean control = plan.stream().anyMatch(n -> ExperimentSpec.DISTILLATION.equals(n.study())
                        && mode.wireName().equals(n.labels().get("mode"))
                        && Planner.INDEPENDENT_BASE.equals(n.labels().get("base")));
                if (control) {
                    // frozen bases: the teacher's own, the same architecture pretrained independently, the other
                    // architecture's own — two findings, each changing one thing
                    Map<String, Map<String, Double>> byBase = bySeed(used, plan, results, ExperimentSpec.DISTILLATION,
                            n -> mode.wireName().equals(n.labels().get("mode")) ? n.labels().get("base") : null,
                            "top1");
                    String held = "same teacher (α = " + spec.distill().alpha() + "), unlabelled images, epochs and "
                            + "data order per seed; students of the same width";
                    add(out, used, usedBy, verdict("2-" + mode.wireName() + " same architecture",
                            ExperimentSpec.DISTILLATION, "same-architecture student on an independently pretrained "
                            + "base − other-architecture student on its own base > 0", held + "; neither base is the "
                            + "teacher's", paired(byBase, m -> diff(m, List.of(Planner.INDEPENDENT_BASE),
                            List.of(Planner.OWN_BASE)))));
                    add(out, used, usedBy, verdict("2-" + mode.wireName() + " same weights",
                            ExperimentSpec.DISTILLATION, "same-architecture student on the teacher's own pretrained "
                            + "base − on an independently pretrained base > 0", held + "; same architecture, the "
                            + "base's pretraining seed differs", paired(byBase, m -> diff(m,
                            List.of(Planner.TEACHERS_BASE), List.of(Planner.INDEPENDENT_BASE)))));
                    continue;
                }
                Map<String, Map<String, Double>> bySeed = bySeed(used, plan, results, ExperimentSpec.DISTILLATION,
                        n -> mode.wireName().equals(n.labels().get("mode"))
                                ? (n.labels().get("student").startsWith(teacherFamily) ? "same" : "other") : null,
                        "top1");
                add(out, used, usedBy, verdict("2-" + mode.wireName(), ExperimentSpec.DISTILLATION, "same-architecture student − "
                        + "other-architecture student > 0 (" + mode.wireName() + " students)", "same teacher, "
                        + "unlabelled images, epochs and data order per seed; students of the same width",
                        paired(bySeed, m -> diff(m, List.of("same"), List.of("other")))));
            }
        }
        if (spec.studies().contains(ExperimentSpec.TRANSFER) && spec.transfer() != null) {
            // per seed, over every domain and batch size: chance-corrected accuracy with the fewest classes minus
            // with the most; and the gain of the largest batch over the smallest, with the most classes minus with
            // the fewest
            List<Planner.Node> encoders = plan.stream().filter(n -> !n.labels().containsKey(Planner.BASELINE)).toList();
            Map<String, Map<String, Double>> kappa = bySeed(used, encoders, results, ExperimentSpec.TRANSFER,
                    n -> n.labels().get("domain") + "|" + n.labels().get("classes") + "|" + n.labels().get("batch"),
                    CHANCE_CORRECTED);
            boolean steps = spec.transfer().steps() != null;
            String budget = steps ? "about " + spec.transfer().steps() + " optimiser steps of linear evaluation per run"
                    : "same epochs of linear evaluation";
            add(out, used, usedBy, verdict("3a", ExperimentSpec.TRANSFER, "chance-corrected accuracy with the fewest classes − with "
                    + "the most > 0 (fewer classes transfer better)", "same pretrained encoder per seed, " + budget
                    + "; chance removed by (acc − 1/k)/(1 − 1/k)", paired(kappa, Findings::fewestMinusMost)));
            add(out, used, usedBy, verdict("3b", ExperimentSpec.TRANSFER, "gain of the largest batch over the smallest, with the "
                    + "most classes − with the fewest > 0", "same encoder per seed; batch sizes compared at " + (steps
                    ? "equal steps (a larger batch sees more images)" : "equal epochs (a smaller batch makes more "
                    + "steps)"), paired(kappa, Findings::batchGainGrowth)));
            if (spec.transfer().withPixelBaseline()) {
                // not a finding of the reference but its premise: the encoder's features beat the raw pixels, per
                // domain, with the most classes (where chance helps least) at the largest batch
                String largest = Integer.toString(java.util.Collections.max(spec.transfer().batchSizes()));
                for (String domain : plan.stream().filter(n -> ExperimentSpec.TRANSFER.equals(n.study()))
                        .map(n -> n.labels().get("domain")).distinct().toList()) {
                    // transfer runs only: an ablation domain's pretraining may carry the same "domain" label
                    String most = plan.stream().filter(n -> ExperimentSpec.TRANSFER.equals(n.study())
                                    && domain.equals(n.labels().get("domain")))
                            .map(n -> Integer.parseInt(n.labels().get("classes"))).max(Integer::compare)
                            .map(String::valueOf).orElseThrow();
                    Map<String, Map<String, Double>> top1 = bySeed(used, plan, results, ExperimentSpec.TRANSFER,
                            n -> !domain.equals(n.labels().get("domain")) || !most.equals(n.labels().get("classes"))
                                    ? null : n.labels().containsKey(Planner.BASELINE) ? "pixels"
                                    : largest.equals(n.labels().get("batch")) ? "encoder" : null, "top1");
                    add(out, used, usedBy, verdict("3p " + domain, ExperimentSpec.TRANSFER, "linear evaluation − logistic "
                            + "regression on raw pixels > 0, " + most + " classes of " + domain + " (SimCLR's premise: "
                            + "its features beat the pixels)", "same subset, batch " + largest + " and " + budget,
                            paired(top1, m -> diff(m, List.of("encoder"), List.of("pixels")))));
                }
            }
        }
        return out.stream().map(f -> f.restingOn(health.restsOn(usedBy.get(f)), health)).toList();
    }

    public static final String ALL_MINUS_NONE = "all − none";

    /**
     * A cell of the ablation: the label fraction, domain and fine-tune budget of its runs (each null when the spec
     * does not vary it). Its findings are drawn from its runs alone.
     */
    public record Condition(String domain, String budget, String fraction) {
        /** The cells of a plan's ablation runs, in plan order. */
        public static List<Condition> of(List<Planner.Node> plan) {
            return plan.stream().filter(n -> ExperimentSpec.ABLATION.equals(n.study())).map(Condition::of).distinct()
                    .toList();
        }

        static Condition of(Planner.Node n) {
            return new Condition(n.labels().get(Planner.DOMAIN), n.labels().get(Planner.BUDGET),
                    n.labels().get(Planner.FRACTION));
        }

        boolean holds(Planner.Node n) {
            return equals(of(n));
        }

        /** " grey/fixed @ 10 %", " @ 10 %", or "" when the spec varies nothing: what a finding's id adds. */
        public String suffix() {
            String series = series();
            return (series.isEmpty() ? "" : " " + series) + (fraction == null ? "" : " @ " + fraction);
        }

        /** "grey/fixed": the domain and budget (one line of the conditions plot); "" when neither is varied. */
        public String series() {
            return String.join("/", java.util.stream.Stream.of(domain, budget).filter(java.util.Objects::nonNull)
                    .toList());
        }

        /** What the cell's comparison holds equal. */
        String held(ExperimentSpec spec) {
            ExperimentSpec.Finetune f = spec.finetune();
            String training = ExperimentSpec.Finetune.BEST_VALIDATION.equals(budget) ? "fine-tuning cap ("
                    + f.maxEpochs() + " epochs, patience " + f.patienceEpochs() + "; each run stops at its own best "
                    + "validation epoch, so epochs and images seen differ)" : budget != null ? "fine-tuning epochs ("
                    + f.epochs() + ") and steps" : "fine-tuning epochs";
            return "same pretrained encoder" + (domain == null ? "" : " (pretrained on " + domain + ")") + ", "
                    + training + ", labels (" + (fraction == null ? "the spec's fraction" : fraction + ", nested")
                    + ") and data order per seed";
        }
    }

    /** seed → policy → top-1 of the ablation runs of {@code cell}. */
    private static Map<String, Map<String, Double>> policies(java.util.Set<String> used, List<Planner.Node> plan,
                                                            Map<String, RunCompleted> results, Condition cell) {
        return bySeed(used, plan, results, ExperimentSpec.ABLATION, n -> cell.holds(n) ? n.labels().get("policy")
                : null, "top1");
    }

    private static OptionalDouble allMinusNone(Map<String, Double> m) {
        return diff(m, List.of("all"), List.of("none"));
    }

    /**
     * Per ablation cell, the paired all − none differences (finding 1a's) of every seed — of every encoder, pooled,
     * with independent pretrainings — and in {@code used} the runs each cell's read: the conditions table's values.
     */
    static Map<Condition, List<Double>> effects(List<Planner.Node> plan, Map<String, RunCompleted> results,
                                                Map<Condition, java.util.Set<String>> used) {
        List<String> encoders = plan.stream().map(n -> n.labels().get(Planner.ENCODER_SEED))
                .filter(java.util.Objects::nonNull).distinct().toList();
        List<List<Planner.Node>> groups = encoders.size() < 2 ? List.of(plan) : encoders.stream().map(e -> plan
                .stream().filter(n -> !n.labels().containsKey(Planner.ENCODER_SEED)
                        || e.equals(n.labels().get(Planner.ENCODER_SEED))).toList()).toList();
        Map<Condition, List<Double>> out = new LinkedHashMap<>();
        java.util.Set<String> read = new java.util.HashSet<>();
        for (Condition cell : Condition.of(plan)) {
            for (List<Planner.Node> group : groups) {
                out.computeIfAbsent(cell, k -> new ArrayList<>()).addAll(paired(policies(read, group, results, cell),
                        Findings::allMinusNone));
                used.computeIfAbsent(cell, k -> new java.util.HashSet<>()).addAll(read);
            }
        }
        return out;
    }

    /**
     * One sentence naming, for each of 1a–1c drawn per cell, the cells where the reference's direction holds
     * (confirmed) and where it does not (refuted), with the inconclusive and invalid ones counted; null without
     * per-cell findings.
     */
    public static String cellsSentence(List<Finding> findings) {
        List<String> parts = new ArrayList<>();
        for (String f : List.of("1a", "1b", "1c")) {
            Map<String, List<String>> byVerdict = new LinkedHashMap<>();
            for (Finding x : findings) {
                if (x.id().startsWith(f + " ")) {
                    String verdict = x.invalid() != null ? INVALID : x.verdict();
                    byVerdict.computeIfAbsent(verdict, k -> new ArrayList<>()).add(x.id().substring(f.length() + 1));
                }
            }
            if (byVerdict.isEmpty()) {
                continue;
            }
            int unsure = byVerdict.getOrDefault(INCONCLUSIVE, List.of()).size();
            int invalid = byVerdict.getOrDefault(INVALID, List.of()).size();
            parts.add(f + " holds (confirmed) in " + cells(byVerdict.get(CONFIRMED)) + " and does not (refuted) in "
                    + cells(byVerdict.get(REFUTED)) + " (" + unsure + " inconclusive" + (invalid == 0 ? ""
                    : ", " + invalid + " invalid") + ")");
        }
        return parts.isEmpty() ? null : "here, per cell, " + String.join("; ", parts);
    }

    private static String cells(List<String> cells) {
        return cells == null || cells.isEmpty() ? "no cell" : String.join(", ", cells);
    }

    /** Adds a finding with the runs the last bySeed call read: the values it rests on. */
    private static void add(List<Finding> out, java.util.Set<String> used, Map<Finding, java.util.Set<String>> usedBy,
                            Finding f) {
        out.add(f);
        usedBy.put(f, new java.util.LinkedHashSet<>(used));
    }

    /** Not a stored metric: top-1 with chance removed, {@code (acc − 1/k)/(1 − 1/k)} for k classes (0 = chance). */
    public static final String CHANCE_CORRECTED = "chanceCorrectedTop1";

    /** A run's value of {@code metric}, or of {@link #CHANCE_CORRECTED} computed from its top-1 and classes. */
    static Double value(Planner.Node n, RunCompleted r, String metric) {
        if (!CHANCE_CORRECTED.equals(metric)) {
            return r.metrics().get(metric);
        }
        Double top1 = r.metrics().get("top1");
        String k = n.labels().get("classes");
        return top1 == null || k == null ? null : chanceCorrected(top1, Integer.parseInt(k));
    }

    public static double chanceCorrected(double accuracy, int classes) {
        double chance = 1.0 / classes;
        return (accuracy - chance) / (1 - chance);
    }

    /**
     * seed → condition → metric, from the runs of a study that {@code condition} names (null: not counted);
     * {@code used} is set to the runs read.
     */
    static Map<String, Map<String, Double>> bySeed(java.util.Set<String> used, List<Planner.Node> plan,
                                                   Map<String, RunCompleted> results, String study,
                                                   Function<Planner.Node, String> condition, String metric) {
        used.clear();
        Map<String, Map<String, List<Double>>> acc = new TreeMap<>();
        for (Planner.Node n : plan) {
            RunCompleted r = results.get(n.runId());
            String c = study.equals(n.study()) ? condition.apply(n) : null;
            Double v = c == null || r == null ? null : value(n, r, metric);
            if (v == null) {
                continue;
            }
            used.add(n.runId());
            acc.computeIfAbsent(n.labels().get("seed"), k -> new LinkedHashMap<>())
                    .computeIfAbsent(c, k -> new ArrayList<>()).add(v);
        }
        Map<String, Map<String, Double>> out = new TreeMap<>();
        acc.forEach((seed, byCondition) -> {
            Map<String, Double> m = new LinkedHashMap<>();
            byCondition.forEach((c, v) -> m.put(c, v.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
            out.put(seed, m);
        });
        return out;
    }

    /** The per-seed differences a function gives; seeds where it cannot be formed are left out. */
    static List<Double> paired(Map<String, Map<String, Double>> bySeed,
                               Function<Map<String, Double>, OptionalDouble> difference) {
        List<Double> out = new ArrayList<>();
        bySeed.values().forEach(m -> difference.apply(m).ifPresent(out::add));
        return out;
    }

    /** Mean over {@code a} − mean over {@code b}, when every one of them is there. */
    static OptionalDouble diff(Map<String, Double> m, List<String> a, List<String> b) {
        if (!m.keySet().containsAll(a) || !m.keySet().containsAll(b)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(a.stream().mapToDouble(m::get).average().orElseThrow()
                - b.stream().mapToDouble(m::get).average().orElseThrow());
    }

    record Cell(String domain, int classes, int batch) {
        static Cell of(String key) {
            String[] p = key.split("\\|");
            return new Cell(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]));
        }
    }

    static OptionalDouble fewestMinusMost(Map<String, Double> m) {
        List<Double> d = new ArrayList<>();
        groups(m).forEach((domainBatch, byK) -> {
            if (byK.size() > 1) {
                d.add(byK.firstEntry().getValue() - byK.lastEntry().getValue());
            }
        });
        return d.stream().mapToDouble(Double::doubleValue).average();
    }

    static OptionalDouble batchGainGrowth(Map<String, Double> m) {
        Map<String, TreeMap<Integer, TreeMap<Integer, Double>>> byDomain = new TreeMap<>();
        m.forEach((key, v) -> {
            Cell c = Cell.of(key);
            byDomain.computeIfAbsent(c.domain(), k -> new TreeMap<>()).computeIfAbsent(c.classes(),
                    k -> new TreeMap<>()).put(c.batch(), v);
        });
        List<Double> d = new ArrayList<>();
        byDomain.values().forEach(byK -> {
            if (byK.size() < 2) {
                return;
            }
            TreeMap<Integer, Double> few = byK.firstEntry().getValue();
            TreeMap<Integer, Double> many = byK.lastEntry().getValue();
            TreeSet<Integer> batches = new TreeSet<>(few.keySet());
            batches.retainAll(many.keySet());
            if (batches.size() < 2) {
                return;
            }
            int small = batches.first();
            int large = batches.last();
            d.add((many.get(large) - many.get(small)) - (few.get(large) - few.get(small)));
        });
        return d.stream().mapToDouble(Double::doubleValue).average();
    }

    /** domain|batch → classes → value. */
    private static Map<String, TreeMap<Integer, Double>> groups(Map<String, Double> m) {
        Map<String, TreeMap<Integer, Double>> out = new TreeMap<>();
        m.forEach((key, v) -> {
            Cell c = Cell.of(key);
            out.computeIfAbsent(c.domain() + "|" + c.batch(), k -> new TreeMap<>()).put(c.classes(), v);
        });
        return out;
    }
}
