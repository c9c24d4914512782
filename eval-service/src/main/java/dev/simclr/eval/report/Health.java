package dev.simclr.eval.report;

import dev.simclr.contracts.RunCompleted;
import dev.simclr.eval.plan.Planner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which runs of a plan their workers found degenerate ({@code RunCompleted.degenerate}: the checks and thresholds are
 * the runs module's {@code Degeneracy}), and which runs rest on one: a run is only as sound as the runs it was made
 * from (a fine-tune from a collapsed pretraining, a student on a collapsed base), so a degenerate run taints every
 * run that needs it, directly or through others.
 */
public final class Health {
    private final Map<String, Planner.Node> nodes = new LinkedHashMap<>();
    private final Map<String, List<String>> degenerate = new LinkedHashMap<>();

    private Health(List<Planner.Node> plan, Map<String, RunCompleted> results) {
        plan.forEach(n -> nodes.put(n.runId(), n));
        for (Planner.Node n : plan) {
            RunCompleted r = results.get(n.runId());
            if (r != null && !r.healthy()) {
                degenerate.put(n.runId(), r.degenerate());
            }
        }
    }

    public static Health of(List<Planner.Node> plan, Map<String, RunCompleted> results) {
        return new Health(plan, results);
    }

    /** The degenerate runs of the plan, in plan order, with their reasons. */
    public Map<String, List<String>> degenerate() {
        return degenerate;
    }

    /** The degenerate runs among {@code runIds} and every run they were made from, in plan order. */
    public List<String> restsOn(Collection<String> runIds) {
        Set<String> seen = new LinkedHashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(runIds);
        while (!todo.isEmpty()) {
            String id = todo.pop();
            if (seen.add(id) && nodes.containsKey(id)) {
                todo.addAll(nodes.get(id).needs());
            }
        }
        return degenerate.keySet().stream().filter(seen::contains).toList();
    }

    /** "pretrain-… (pretrain, seed 1, encoder vgg-11 ×0.25) loss: …; collapse: …": a run as a verdict names it. */
    public String describe(String runId) {
        Planner.Node n = nodes.get(runId);
        List<String> what = new ArrayList<>();
        if (n != null) {
            what.add(n.stage().wireName());
            new java.util.TreeMap<>(n.labels()).forEach((k, v) -> what.add(k + " " + v));
        }
        return runId + " (" + String.join(", ", what) + ") " + String.join("; ", degenerate.getOrDefault(runId,
                List.of()));
    }

    /** What a verdict resting on {@code bad} says instead of its word: the first run and why, and how many more. */
    public String invalid(List<String> bad) {
        return describe(bad.get(0)) + (bad.size() > 1 ? " (and " + (bad.size() - 1) + " more degenerate run"
                + (bad.size() > 2 ? "s" : "") + ": " + bad.subList(1, bad.size()).stream()
                .collect(Collectors.joining(", ")) + ")" : "");
    }
}
