package dev.simclr.eval.web;

import io.quarkus.qute.RawString;
import io.quarkus.qute.TemplateData;
import java.util.List;
import java.util.Map;

/** What the web pages' templates show: display text only, built by {@link Pages}; Qute escapes every value. */
public final class Views {
    private Views() {}

    /** One experiment in the list. {@code percent}: runs done of all, 0–100. */
    @TemplateData
    public record Row(String id, String href, String recipe, String scale, String status, long done, int total,
                      int percent, String submitted, String wall) {}

    /** A link of the pager or the filter; {@code current}: the one shown now. */
    @TemplateData
    public record Link(String label, String href, boolean current) {}

    @TemplateData
    public record ListPage(List<Row> rows, List<Link> filters, String state, int from, int to, int total,
                           String previous, String next) {}

    /** One run. {@code progress}: "step / total" while a slice runs (else empty), {@code percent} -1 then. */
    @TemplateData
    public record Run(String runId, String study, String labels, String status, int attempts, String progress,
                      int percent, String instance, String reusedFrom, String reusedFromHref, String checkpoint) {}

    @TemplateData
    public record Stage(String name, long done, int total, List<Run> runs) {}

    @TemplateData
    public record Download(String label, String href) {}

    /**
     * The report once it is written: {@code tables} the verdicts and tables as report.html has them (rendered and
     * escaped by the report's own template), {@code cost} the cost section's sentence.
     */
    @TemplateData
    public record Results(RawString tables, String cost, List<String> coordination, List<Download> downloads) {}

    /**
     * The live part of an experiment's page. {@code settled}: nothing will change any more (ended, and its report
     * written if it completed): the page stops asking.
     */
    @TemplateData
    public record Live(String id, String status, List<String> reasons, long done, int total, int percent,
                       String submitted, String finished, String wall, List<Stage> stages, Results results,
                       boolean reportPending, boolean running, boolean settled) {}

    @TemplateData
    public record ExperimentPage(String id, String recipe, String scale, String spec, Live live, String liveHref,
                                 String cancelHref) {}

    /** The submit form as last sent: its values, and the problems by field (experimentId, recipe, scale, spec). */
    @TemplateData
    public record SubmitForm(List<Recipes.Recipe> recipes, String recipe, String scale, String spec,
                             String experimentId, boolean fresh, Map<String, List<String>> problems,
                             List<String> general) {
        /** Every scale any recipe has, in the order the recipes name them. */
        public List<String> scales() {
            return recipes.stream().flatMap(r -> r.scaleNames().stream()).distinct().toList();
        }

        public List<String> problemsOf(String field) {
            return problems.getOrDefault(field, List.of());
        }
    }

    @TemplateData
    public record Error(int status, String title, List<String> problems) {}
}
