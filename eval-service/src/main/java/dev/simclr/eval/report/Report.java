package dev.simclr.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.simclr.contracts.Json;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Stage;
import dev.simclr.contracts.TrainRequested;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.contracts.RunCompleted;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.eval.plan.Planner;
import dev.simclr.core.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * An experiment's results as a researcher publishes them: per study a table of test accuracy, mean ± 95 %
 * confidence interval over seeds (Student's t), with the reference analysis's finding beside ours, and every run's
 * metrics, lineage and cost. Written to {@code reports/<experiment>/} as results.json, results.csv and results.md.
 */
public record Report(String experimentId, String protocol, List<Findings.Finding> findings,
                     Map<String, Table> tables, List<Map<String, Object>> runs, JsonNode spec,
                     Map<String, Object> lineage, Timing timing) {

    /** The reference ({@link Reference}): its numbers beside ours, its findings judged by ours ({@link Findings}). */
    public static final String REFERENCE = Reference.CITATION;
    /** The second transfer table: the same evaluations with chance removed. */
    public static final String TRANSFER_CHANCE_CORRECTED = ExperimentSpec.TRANSFER + "-chance-corrected";
    public static final String PROTOCOL = "Every choice of epoch (distillation's early stopping) or learning rate "
            + "(a linear evaluation's logistic regression, Adam at " + rates() + ", fitted on the rest of the training "
            + "split) is made on a validation split carved from the training split (10 % of every class, fixed seed); "
            + "the test split is "
            + "read once per run, for the final score. Seeds pair the conditions: the same seed is the same "
            + "pretrained encoder and data order in each. Verdicts: the paired difference across seeds, mean ± 95 % "
            + "CI (Student's t); confirmed or refuted when the interval excludes zero, inconclusive when it holds it.";

    private static String rates() {
        List<String> r = dev.simclr.contracts.EvalRequested.HEAD_LEARNING_RATES.stream().map(String::valueOf).toList();
        return String.join(", ", r.subList(0, r.size() - 1)) + " or " + r.get(r.size() - 1);
    }

    /**
     * {@link #PROTOCOL}, then what this experiment held: one pretraining per seed or one shared, how much of the
     * test split each run scored, and what the ablation's policies do on the main dataset's images.
     */
    static String protocol(ExperimentSpec spec, List<Planner.Node> plan, Map<String, RunCompleted> results,
                           Map<String, Object> lineage) {
        StringBuilder b = new StringBuilder(PROTOCOL);
        Long shared = spec.pretrain() == null ? null : spec.pretrain().seed();
        List<Long> encoders = spec.pretrain() == null ? null : spec.pretrain().seeds();
        if (encoders != null) {
            b.append(" Pretraining: ").append(encoders.size()).append(" independent encoders (pretraining seeds ")
                    .append(encoders.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")))
                    .append("), each crossed with every seed. Each verdict is drawn within every encoder — its "
                    + "interval covers the seeds' fine-tuning, distillation and evaluation noise given that encoder "
                    + "— and across encoders: Student's t (n − 1 degrees of freedom) on the encoders' mean "
                    + "differences, an interval that covers pretraining noise (encoder to encoder) as well; \"holds "
                    + "for k of n encoders\" counts the encoders whose own verdict is confirmed. Table cells pool "
                    + "every encoder × seed run, so their intervals mix both variances.");
        } else {
            b.append(shared != null ? " Pretraining: one encoder (seed " + shared + ") shared by every seed, so a "
                    + "seed pair differs only in what follows pretraining (its data order and head initialisation); "
                    + "the verdicts' intervals cover that noise only, not another pretraining's."
                    : " Pretraining: one encoder per seed, so a seed's pretraining and what follows it vary together "
                    + "and the verdicts' intervals cover both.");
        }
        if (spec.pretrain() != null && spec.pretrain().dataset() != null) {
            b.append(" Pretraining reads ").append(spec.pretrain().dataset().name()).append('/')
                    .append(spec.pretrain().dataset().version()).append(" (pretrain.dataset: whole, no labels read); "
                    + "the studies read ").append(spec.dataset().name()).append('/').append(spec.dataset().version())
                    .append('.');
        }
        if (spec.studies().contains(ExperimentSpec.DISTILLATION) && spec.distill() != null) {
            double alpha = spec.distill().alpha();
            b.append(" Distillation: α = ").append(alpha).append(alpha == 0 ? " — the student learns from the "
                    + "teacher's softened outputs alone, on unlabelled images, as the reference distilled"
                    : " of the label loss beside the teacher's softened outputs (the reference used α = 0)")
                    .append(", temperature ").append(spec.distill().temperature()).append('.');
            if (spec.distill().modes().contains(dev.simclr.contracts.DistillMode.FROZEN_BASE)) {
                b.append(" Frozen-base students train a dense head on a SimCLR-pretrained base: the teacher's own "
                        + "pretrained encoder (same architecture, same weights as the teacher's start), the same "
                        + "architecture pretrained independently (pretraining seed + ")
                        .append(Planner.INDEPENDENT_SEED_OFFSET).append(", same settings), or the other "
                        + "architecture's own pretraining; \"same architecture\" compares the independent base with "
                        + "the other architecture, \"same weights\" the teacher's base with the independent one.");
            }
        }
        if (spec.studies().contains(ExperimentSpec.TRANSFER) && spec.transfer() != null) {
            b.append(spec.transfer().steps() != null ? " Transfer: steps held equal across batch sizes (about "
                    + spec.transfer().steps() + " optimiser steps per run: the epochs nearest to it)."
                    : " Transfer: epochs held equal across batch sizes (" + spec.transfer().epochs()
                    + "), so a larger batch takes fewer steps.");
            if (spec.transfer().withPixelBaseline()) {
                b.append(" Raw pixels: logistic regression on the pixels of the same subsets, at the largest batch"
                        + " and the same budget — what the encoder has to beat.");
            }
        }
        b.append(precisions(results));
        DatasetRef main = plan.stream().filter(n -> n.stage() == Stage.PRETRAIN).findFirst()
                .map(n -> n.request().apply(results)).filter(TrainRequested.class::isInstance)
                .map(r -> ((TrainRequested) r).dataset()).orElse(null);
        Object entry = main == null || !(lineage.get("datasets") instanceof Map<?, ?> data) ? null
                : data.get(main.name() + "/" + main.version());
        if (entry instanceof Map<?, ?> d) {
            if (d.get("images") instanceof Map<?, ?> images && images.get(DatasetStore.TEST_SPLIT) != null) {
                double share = spec.testSample() != null ? spec.testSample() : spec.sample() != null ? spec.sample() : 1;
                b.append(" Each run is scored on ").append(share >= 1 ? "the whole test split" : "a class-balanced "
                        + "sample of the test split").append(" of ").append(spec.dataset().name()).append(" (")
                        .append(images.get(DatasetStore.TEST_SPLIT)).append(" images).");
            }
            if (spec.studies().contains(ExperimentSpec.ABLATION) && d.get("channels") instanceof Integer c) {
                b.append(" Policies on ").append(spec.dataset().name()).append(" (").append(c).append(c == 1
                        ? " channel): crop is a random resized crop, flip a horizontal flip (p 0.5), color a colour "
                        + "jitter (p 0.8) and greyscale (p 0.2), of which only brightness and contrast act on one "
                        + "channel; all = crop+flip+color."
                        : " channels): crop is a random resized crop, flip a horizontal flip (p 0.5), color a colour "
                        + "jitter of brightness, contrast, saturation and hue (p 0.8) and greyscale (p 0.2); all = "
                        + "crop+flip+color.");
            }
        }
        if (spec.studies().contains(ExperimentSpec.ABLATION) && spec.finetune() != null) {
            b.append(conditions(spec.finetune(), plan, results));
        }
        Health health = Health.of(plan, results);
        long finished = plan.stream().filter(n -> results.containsKey(n.runId())).count();
        if (health.degenerate().isEmpty()) {
            b.append(" Health checks (final loss against ln(2N − 1), embedding collapse, kNN and heads at chance, "
                    + "constant predictions, non-finite losses): none of the ").append(finished)
                    .append(" finished runs is degenerate.");
        } else {
            b.append(" Degenerate runs (").append(health.degenerate().size()).append(" of ").append(finished)
                    .append(" finished; shown in the tables' n column, and every verdict that rests on one, or on a "
                    + "run made from one, is invalid): ");
            b.append(String.join("; ", health.degenerate().keySet().stream().map(health::describe).toList()))
                    .append('.');
        }
        return b.toString();
    }

    /**
     * What the ablation's budgets hold equal (with the epochs the best-validation runs trained, as measured) and what
     * its domains are: said only when the spec names budgets or domains.
     */
    static String conditions(ExperimentSpec.Finetune f, List<Planner.Node> plan, Map<String, RunCompleted> results) {
        StringBuilder b = new StringBuilder();
        if (f.budgets() != null) {
            b.append(" Fine-tune budgets:");
            if (f.budgets().contains(ExperimentSpec.Finetune.FIXED)) {
                b.append(" fixed — every run trains ").append(f.epochs()).append(" epochs on all its labelled "
                        + "images and keeps the last, so epochs, steps and images seen are held equal;");
            }
            if (f.budgets().contains(ExperimentSpec.Finetune.BEST_VALIDATION)) {
                java.util.DoubleSummaryStatistics trained = plan.stream()
                        .filter(n -> ExperimentSpec.ABLATION.equals(n.study())
                                && ExperimentSpec.Finetune.BEST_VALIDATION.equals(n.labels().get(Planner.BUDGET)))
                        .map(n -> results.get(n.runId())).filter(java.util.Objects::nonNull)
                        .map(r -> r.metrics().get("epochsTrained")).filter(java.util.Objects::nonNull)
                        .mapToDouble(Double::doubleValue).summaryStatistics();
                b.append(" best-validation — every run trains to its best epoch on a validation split carved from "
                        + "its labelled images (").append(Math.round(100 * dev.simclr.core.dataset.Holdout.FRACTION))
                        .append(" % of each class, not trained on), at most ").append(f.maxEpochs())
                        .append(" epochs, stopping after ").append(f.patienceEpochs()).append(" without a better one, "
                        + "and the test split scores that epoch's weights once: the cap is held equal, the epochs and "
                        + "images seen are each run's own");
                if (trained.getCount() > 0) {
                    b.append(String.format(Locale.ROOT, " (%.1f epochs trained on average, %.0f to %.0f, over %d "
                            + "runs)", trained.getAverage(), trained.getMin(), trained.getMax(), trained.getCount()));
                }
                b.append(';');
            }
            b.setCharAt(b.length() - 1, '.');
        }
        if (f.domains() != null) {
            b.append(" Domains: ").append(String.join(", ", f.domains().stream().map(d -> d.tag() + " = "
                    + d.name() + "/" + d.version()).toList())).append(", each fine-tuned from an encoder pretrained "
                    + "on its own images with the same pretraining settings (a seed's encoders differ by domain "
                    + "only); color jitters brightness and contrast on 1-channel images, and saturation and hue as "
                    + "well on 3-channel ones.");
        }
        return b.toString();
    }

    /**
     * The precision each stage's runs computed in, as their results say (" Precision: pretrain bf16, finetune
     * fp32."): said only when some run was not fp32, so the protocol of an all-fp32 experiment reads as before.
     */
    static String precisions(Map<String, RunCompleted> results) {
        Map<Stage, java.util.SortedSet<String>> byStage = new java.util.TreeMap<>();
        for (RunCompleted r : results.values()) {
            if (r.precision() != null) {
                byStage.computeIfAbsent(r.stage(), s -> new java.util.TreeSet<>()).add(r.precision().wireName());
            }
        }
        if (byStage.values().stream().allMatch(s -> s.equals(java.util.Set.of("fp32")))) {
            return "";
        }
        StringBuilder b = new StringBuilder(" Precision (what the runs used; bf16: forward passes under bf16 autocast, "
                + "losses, gradients and weights in fp32):");
        String sep = " ";
        for (var e : byStage.entrySet()) {
            b.append(sep).append(e.getKey().wireName()).append(' ').append(String.join(" and ", e.getValue()));
            sep = ", ";
        }
        return b.append('.').toString();
    }

    static final Map<String, String> REFERENCE_FINDING = Map.of(
            TRANSFER_CHANCE_CORRECTED, "transfer learning performs better when the number of classes is smaller; "
                    + "here with chance removed, so a 2-class task's 50 % floor does not count (Table 4)",
            ExperimentSpec.ABLATION, "augmentation while fine-tuning helps, pairs more than single operations, all "
                    + "three most (Table 1: none 78.4, single operations 83.9–84.1, pairs 87.0–87.3, all 89.8)",
            ExperimentSpec.DISTILLATION, "distillation works better when teacher and student share the base "
                    + "model (Table 2: ResNet-50 teacher, frozen-base students VGG16 65 %, ResNet50 71 %; Table 3: "
                    + Reference.TABLE3 + ")",
            ExperimentSpec.TRANSFER, "transfer learning performs better when the number of classes is smaller "
                    + "(Table 4, Figure 6)");

    /** Between the dataset and the number of classes in the transfer table's rows when it has several domains. */
    public static final String DOMAIN_SEPARATOR = " / ";

    /** The request a run was issued with, or null while a run it needs has no result (a failed experiment). */
    private static JsonNode request(Planner.Node n, Map<String, RunCompleted> results) {
        if (!results.keySet().containsAll(n.needs())) {
            return null;
        }
        return Json.MAPPER.valueToTree(n.request().apply(results));
    }

    /** One row of a table: the mean ± CI of a metric per column, over seeds. */
    public record Cell(int n, double mean, double ci95, List<Double> values) {
        static Cell of(List<Double> v) {
            int n = v.size();
            double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ci = Double.NaN;
            if (n > 1) {
                double var = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (n - 1);
                ci = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(var / n);
            }
            return new Cell(n, mean, ci, v);
        }

        String text() {
            if (n == 0) {
                return "–";
            }
            return Double.isNaN(ci95) ? String.format(Locale.ROOT, "%.1f", 100 * mean)
                    : String.format(Locale.ROOT, "%.1f ± %.1f", 100 * mean, 100 * ci95);
        }
    }

    /**
     * {@code referenceValues}: the reference's top-1 (0–1) for a row, where it reports one; {@code degenerate}: per
     * row, how many of its runs are degenerate or rest on a degenerate run ({@link Health}) — they are in the row's
     * values, shown, not hidden, and the findings that read them say {@code invalid}.
     */
    public record Table(String title, String rowHeader, List<String> columns, Map<String, Map<String, Cell>> rows,
                        String reference, Map<String, Double> referenceValues, Map<String, Integer> degenerate) {
        public Table(String title, String rowHeader, List<String> columns, Map<String, Map<String, Cell>> rows,
                     String reference) {
            this(title, rowHeader, columns, rows, reference, Map.of(), Map.of());
        }

        public Table(String title, String rowHeader, List<String> columns, Map<String, Map<String, Cell>> rows,
                     String reference, Map<String, Double> referenceValues) {
            this(title, rowHeader, columns, rows, reference, referenceValues, Map.of());
        }

        Table withReferenceValues(Map<String, Double> values) {
            return new Table(title, rowHeader, columns, rows, reference, values, degenerate);
        }
    }

    /** A published results.json read back (the web page shows its verdicts, tables and cost from it). */
    public static Report read(byte[] resultsJson) {
        try {
            // lenient: a report written by an older or newer version still reads
            return Json.MAPPER.readerFor(Report.class)
                    .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(resultsJson);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String prefix(String experimentId) {
        return "reports/" + experimentId + "/";
    }

    /**
     * {@code lineage}: what the results rest on — datasets with their shards' sha256, the code version;
     * {@code state}: the runs' instants, for the coordination figures ({@link Timing}).
     */
    public static Report of(ExperimentSubmitted submitted, ExperimentSpec spec, List<Planner.Node> plan,
                            Map<String, RunCompleted> results, Map<String, Object> lineage, ExperimentState state) {
        Timing timing = Timing.of(state, plan, results, Runtime.getRuntime().availableProcessors());
        Map<String, Table> tables = new LinkedHashMap<>();
        if (spec.studies().contains(ExperimentSpec.ABLATION)) {
            // a label-fraction sweep: a column per fraction
            // a column per cell: "grey/fixed top-1 @ 10 % labels" (each part when the spec varies it)
            Table t = table("Fine-tuning augmentation ablation: test top-1 %", "policy",
                    plan, results, ExperimentSpec.ABLATION, n -> n.labels().get("policy"), n -> {
                        Findings.Condition c = Findings.Condition.of(n);
                        return (c.series().isEmpty() ? "" : c.series() + " ") + "top-1"
                                + (c.fraction() == null ? "" : " @ " + c.fraction() + " labels");
                    }, "top1");
            Map<String, Double> ref = new LinkedHashMap<>();
            t.rows().keySet().forEach(row -> {
                if (Reference.TABLE1.containsKey(row)) {
                    ref.put(row, Reference.TABLE1.get(row));
                }
            });
            tables.put(ExperimentSpec.ABLATION, t.withReferenceValues(ref));
        }
        List<Findings.Finding> findings = Findings.of(spec, plan, results);
        if (spec.studies().contains(ExperimentSpec.ABLATION) && Findings.Condition.of(plan).size() > 1) {
            tables.put(ABLATION_EFFECT, effects(spec, plan, results, findings));
        }
        if (spec.studies().contains(ExperimentSpec.DISTILLATION)) {
            // a row per student, mode and frozen base (the teacher's, an independent one of the same architecture,
            // the other architecture's own), with the student's size
            Function<Planner.Node, String> student = n -> n.labels().get("student") + ", " + n.labels().get("mode")
                    + (n.labels().containsKey("base") ? ", " + n.labels().get("base") + " base" : "")
                    + parameters(results.get(n.runId()));
            Table students = table("Distillation: student test top-1 %", "student", plan, results,
                    ExperimentSpec.DISTILLATION, student, n -> "student top-1", "top1");
            Table teachers = table("", "student", plan, results, ExperimentSpec.DISTILLATION, student,
                    n -> "teacher top-1", "teacherTop1");
            students.rows().forEach((row, cells) -> cells.putAll(teachers.rows().getOrDefault(row, Map.of())));
            Map<String, Double> ref = new LinkedHashMap<>();
            students.rows().keySet().forEach(row -> Reference.TABLE2.forEach((family, v) -> {
                if (row.startsWith(family) && row.contains(", frozen-base")
                        && !row.contains(", " + Planner.INDEPENDENT_BASE + " base")) {
                    ref.put(row, v); // their students: frozen base + dense head, the teacher's own base for ResNet
                }
            }));
            tables.put(ExperimentSpec.DISTILLATION, new Table(students.title(), students.rowHeader(),
                    List.of("student top-1", "teacher top-1"), students.rows(),
                    REFERENCE_FINDING.get(ExperimentSpec.DISTILLATION), ref, students.degenerate()));
        }
        if (spec.studies().contains(ExperimentSpec.TRANSFER)) {
            // one domain: a row per number of classes; more (e.g. sklearn's digits beside Fashion-MNIST): a row
            // per domain and number of classes, "<dataset> / <k>"
            boolean domains = plan.stream().filter(n -> ExperimentSpec.TRANSFER.equals(n.study()))
                    .map(n -> n.labels().get("domain")).distinct().count() > 1;
            Function<Planner.Node, String> row = n -> domains ? n.labels().get("domain") + DOMAIN_SEPARATOR
                    + n.labels().get("classes") : n.labels().get("classes");
            Function<Planner.Node, String> column = n -> n.labels().containsKey(Planner.BASELINE)
                    ? n.labels().get(Planner.BASELINE) : "batch " + n.labels().get("batch");
            Table raw = table("Transfer (linear evaluation): test top-1 % by number of classes and batch size",
                    domains ? "dataset / classes" : "classes", plan, results, ExperimentSpec.TRANSFER, row,
                    column, "top1");
            Map<String, Double> ref = new LinkedHashMap<>();
            raw.rows().keySet().forEach(r -> {
                int k = Integer.parseInt(r.substring(r.lastIndexOf(' ') + 1));
                if (Reference.TABLE4.containsKey(k)) {
                    ref.put(r, Reference.TABLE4.get(k)); // theirs: batch 64, another dataset per k
                }
            });
            tables.put(ExperimentSpec.TRANSFER, raw.withReferenceValues(ref));
            tables.put(TRANSFER_CHANCE_CORRECTED, table("Transfer, chance removed: (top-1 − 1/k)/(1 − 1/k) in % (0 is "
                    + "chance, 100 perfect) by number of classes k and batch size", domains ? "dataset / classes"
                    : "classes", plan, results, ExperimentSpec.TRANSFER, row, column, Findings.CHANCE_CORRECTED));
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Planner.Node n : plan) {
            RunCompleted r = results.get(n.runId());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runId", n.runId());
            m.put("stage", n.stage().wireName());
            m.put("study", n.study());
            m.put("labels", n.labels());
            m.put("metrics", r == null ? Map.of() : r.metrics());
            m.put("degenerate", r == null ? null : r.degenerate());
            m.put("checkpointKey", r == null ? null : r.checkpointKey());
            m.put("cpuSeconds", r == null ? null : r.cpuSeconds());
            m.put("codeVersion", r == null ? null : r.codeVersion());
            // the experiment whose request finished the run: another one's when this experiment reused it
            m.put("ranBy", r == null ? null : r.experimentId());
            m.put("checkpointSha256", lineage.get("checkpointSha256") instanceof Map<?, ?> shas
                    ? shas.get(n.runId()) : null);
            m.put("request", request(n, results)); // the exact parameters it ran with
            m.put("times", timing.runs().get(n.runId()));
            runs.add(m);
        }
        return new Report(submitted.experimentId(), protocol(spec, plan, results, lineage),
                findings, tables, runs,
                submitted.spec(), lineage, timing);
    }

    /** The ablation's effect per cell: all − none against the label fraction, a column per domain and budget. */
    public static final String ABLATION_EFFECT = ExperimentSpec.ABLATION + "-effect";

    /**
     * The conditions table: a row per label fraction, a column per domain × budget, each cell the paired all − none
     * differences of its seeds (finding 1a's; pooled over encoders with independent pretrainings), mean ± 95 % CI;
     * its note the sentence that names where the reference's direction holds and where it does not.
     */
    static Table effects(ExperimentSpec spec, List<Planner.Node> plan, Map<String, RunCompleted> results,
                         List<Findings.Finding> findings) {
        Health health = Health.of(plan, results);
        Map<String, Map<String, Cell>> rows = new LinkedHashMap<>();
        Map<String, Integer> degenerate = new LinkedHashMap<>();
        List<String> columns = new ArrayList<>();
        String specs = Planner.fractionLabel(spec.finetune().labelFraction()); // no sweep: the spec's fraction
        Map<Findings.Condition, java.util.Set<String>> used = new LinkedHashMap<>();
        for (var e : Findings.effects(plan, results, used).entrySet()) {
            Findings.Condition c = e.getKey();
            String row = c.fraction() != null ? c.fraction() : specs;
            String column = c.series().isEmpty() ? Findings.ALL_MINUS_NONE : c.series();
            if (!columns.contains(column)) {
                columns.add(column);
            }
            rows.computeIfAbsent(row, k -> new LinkedHashMap<>()).put(column, Cell.of(e.getValue()));
            int bad = health.restsOn(used.getOrDefault(c, java.util.Set.of())).size();
            if (bad > 0) {
                degenerate.merge(row, bad, Integer::sum);
            }
        }
        String sentence = Findings.cellsSentence(findings);
        return new Table("Effect of augmenting while fine-tuning: all − none in test top-1 points, paired per seed"
                + (spec.pretrain().independentEncoders() ? " (every encoder × seed pair pooled)" : "")
                + ", by label fraction; a column per domain and fine-tune budget", "label fraction", columns, rows,
                REFERENCE_FINDING.get(ExperimentSpec.ABLATION) + (sentence == null ? "" : "; " + sentence), Map.of(),
                degenerate);
    }

    /** " · 2.79 M parameters (33.0 k trained)": a student's size, from its result (nothing before it has one). */
    static String parameters(RunCompleted r) {
        Double all = r == null ? null : r.metrics().get("parameters");
        Double trained = r == null ? null : r.metrics().get("trainableParameters");
        if (all == null) {
            return "";
        }
        return " · " + count(all) + " parameters" + (trained == null || trained.equals(all) ? ""
                : " (" + count(trained) + " trained)");
    }

    private static String count(double n) {
        return n >= 1e6 ? String.format(Locale.ROOT, "%.2f M", n / 1e6) : n >= 1e3
                ? String.format(Locale.ROOT, "%.1f k", n / 1e3) : String.format(Locale.ROOT, "%.0f", n);
    }

    private static Table table(String title, String rowHeader, List<Planner.Node> plan,
                               Map<String, RunCompleted> results, String study, Function<Planner.Node, String> row,
                               Function<Planner.Node, String> column, String metric) {
        Health health = Health.of(plan, results);
        Map<String, java.util.Set<String>> tainted = new LinkedHashMap<>();
        Map<String, Map<String, List<Double>>> values = new LinkedHashMap<>();
        List<String> columns = new ArrayList<>();
        for (Planner.Node n : plan) {
            RunCompleted r = results.get(n.runId());
            Double v = !study.equals(n.study()) || r == null ? null : Findings.value(n, r, metric);
            if (v == null) {
                continue;
            }
            String c = column.apply(n);
            if (!columns.contains(c)) {
                columns.add(c);
            }
            values.computeIfAbsent(row.apply(n), k -> new LinkedHashMap<>()).computeIfAbsent(c,
                    k -> new ArrayList<>()).add(v);
            if (!health.restsOn(List.of(n.runId())).isEmpty()) {
                tainted.computeIfAbsent(row.apply(n), k -> new java.util.HashSet<>()).add(n.runId());
            }
        }
        Map<String, Integer> degenerate = new LinkedHashMap<>();
        tainted.forEach((r, ids) -> degenerate.put(r, ids.size()));
        Map<String, Map<String, Cell>> rows = new LinkedHashMap<>();
        values.forEach((r, cols) -> {
            Map<String, Cell> cells = new LinkedHashMap<>();
            cols.forEach((c, v) -> cells.put(c, Cell.of(v)));
            rows.put(r, cells);
        });
        return new Table(title, rowHeader, columns, rows, REFERENCE_FINDING.get(study), Map.of(), degenerate);
    }

    /** The tables as Markdown: what the CLI prints and results.md holds (templates/report.md, then the timing). */
    public String markdown() {
        return ReportView.of(this).markdown() + (timing != null ? timing.markdown() : "");
    }

    /** Every value by study, row, column and seed; the reference's value per row with column "reference ...". */
    public String csv() {
        StringBuilder b = new StringBuilder();
        try (CSVPrinter out = new CSVPrinter(b, CSVFormat.DEFAULT.builder().setRecordSeparator("\n")
                .setHeader("study", "row", "column", "seed_index", "value").get())) {
            for (var t : tables.entrySet()) {
                for (var row : t.getValue().rows().entrySet()) {
                    for (var cell : row.getValue().entrySet()) {
                        List<Double> values = cell.getValue().values();
                        for (int i = 0; i < values.size(); i++) {
                            out.printRecord(t.getKey(), row.getKey(), cell.getKey(), i, values.get(i));
                        }
                    }
                }
                for (var ref : t.getValue().referenceValues().entrySet()) {
                    out.printRecord(t.getKey(), ref.getKey(), "reference " + REFERENCE, "", ref.getValue());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toString();
    }

    public void publish(ObjectStore store) {
        try {
            store.put(prefix(experimentId) + "results.json", Json.PRETTY.writeValueAsBytes(this), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.put(prefix(experimentId) + "results.csv", csv().getBytes(StandardCharsets.UTF_8), "text/csv");
        store.put(prefix(experimentId) + "results.md", markdown().getBytes(StandardCharsets.UTF_8), "text/markdown");
        Map<String, Plots.Figure> figures = Map.of();
        try {
            figures = Plots.of(this);
            for (Plots.Figure f : figures.values()) {
                store.put(prefix(experimentId) + f.name() + ".png", f.png(), "image/png");
                store.put(prefix(experimentId) + f.name() + ".svg", f.svg().getBytes(StandardCharsets.UTF_8),
                        "image/svg+xml");
            }
        } catch (RuntimeException | LinkageError e) {
            // a machine without fonts cannot draw text: the tables still stand
            org.jboss.logging.Logger.getLogger(Report.class).warnf("no plots for %s: %s", experimentId, e);
        }
        store.put(prefix(experimentId) + "report.html", Html.page(this, figures).getBytes(StandardCharsets.UTF_8),
                "text/html");
    }
}
