package dev.simclr.eval.report;

import dev.simclr.contracts.Stage;
import dev.simclr.eval.state.ExperimentState;
import dev.simclr.eval.plan.Planner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How fast the coordinator moved, from the instants in an experiment's state: submit → first run started and →
 * first training step; per run, request issued → run started (all runs, and those whose service had nothing else
 * to do between the two, so no queueing is counted) and the last input's completion → request issued (runs with
 * inputs). Seconds; median and max over runs. Cost: the wall time from submission to the last completion, and the
 * runs' own CPU seconds against the core-seconds of {@code cores} over that time.
 */
public record Timing(Double submitToFirstStartSeconds, Double submitToFirstStepSeconds, Stat issueToStart,
                     Stat issueToStartIdle, Stat completeToIssue, Map<String, RunTimes> runs, Cost cost) {

    /**
     * {@code cores}: of the host that writes the report — every service's in the embedded default, one node's
     * otherwise (then the share is of that node only and says so by the number).
     */
    /**
     * {@code runCpuSeconds}: of the runs this experiment ran; {@code reusedRuns} and {@code reusedCpuSeconds}: the
     * runs another experiment had finished before (answered from their stored results) and what they had cost.
     */
    public record Cost(Double wallSeconds, double runCpuSeconds, int cores, int reusedRuns, double reusedCpuSeconds) {
        public Double availableCoreSeconds() {
            return wallSeconds == null ? null : wallSeconds * cores;
        }

        public Double runShare() {
            Double available = availableCoreSeconds();
            return available == null || available <= 0 ? null : runCpuSeconds / available;
        }
    }

    /** Median and max of {@code n} durations in seconds (null when there are none). */
    public record Stat(int n, Double medianSeconds, Double maxSeconds) {
        static Stat of(List<Double> seconds) {
            if (seconds.isEmpty()) {
                return new Stat(0, null, null);
            }
            List<Double> s = seconds.stream().sorted().toList();
            int n = s.size();
            double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
            return new Stat(n, median, s.get(n - 1));
        }

        String text() {
            return n == 0 ? "– (no runs)" : String.format(Locale.ROOT, "median %.2f s, max %.2f s over %d runs",
                    medianSeconds, maxSeconds, n);
        }
    }

    /** One run's instants as offsets from the submission, and its two coordination waits (seconds). */
    public record RunTimes(Double issued, Double started, Double firstStep, Double completed, Double issueToStart,
                           Double completeToIssue, boolean queued) {}

    /** Which service does a stage's runs (one consumer each in the embedded default). */
    static String service(Stage stage) {
        return switch (stage) {
            case PRETRAIN, FINETUNE -> "trainer";
            case DISTILL -> "distill";
            case EVAL -> "eval";
            case AUGMENT -> "augment";
        };
    }

    public static Timing of(ExperimentState state, List<Planner.Node> plan) {
        return of(state, plan, Map.of(), Runtime.getRuntime().availableProcessors());
    }

    public static Timing of(ExperimentState state, List<Planner.Node> plan,
                            Map<String, dev.simclr.contracts.RunCompleted> results, int cores) {
        Instant t0 = state.submittedAt;
        Map<String, Planner.Node> nodes = new LinkedHashMap<>();
        plan.forEach(n -> nodes.put(n.runId(), n));
        List<Double> issueToStart = new ArrayList<>();
        List<Double> idle = new ArrayList<>();
        List<Double> completeToIssue = new ArrayList<>();
        Map<String, RunTimes> runs = new LinkedHashMap<>();
        Instant firstStart = null;
        Instant firstStep = null;
        for (Planner.Node n : plan) {
            ExperimentState.Run r = state.runs.get(n.runId());
            if (r == null) {
                continue;
            }
            firstStart = min(firstStart, r.startedAt);
            firstStep = min(firstStep, r.firstStepAt);
            Double toStart = seconds(r.issuedAt, r.startedAt);
            boolean queued = false;
            if (toStart != null) {
                issueToStart.add(toStart);
                // queued: the same service worked on another run at some time between this one's issue and start
                for (Planner.Node other : plan) {
                    ExperimentState.Run o = state.runs.get(other.runId());
                    if (other == n || o == null || o.startedAt == null
                            || !service(other.stage()).equals(service(n.stage()))) {
                        continue;
                    }
                    Instant oEnd = o.completedAt != null ? o.completedAt : Instant.MAX;
                    if (o.startedAt.isBefore(r.startedAt) && oEnd.isAfter(r.issuedAt)) {
                        queued = true;
                        break;
                    }
                }
                if (!queued) {
                    idle.add(toStart);
                }
            }
            Double toIssue = null;
            if (!n.needs().isEmpty() && r.issuedAt != null) {
                Instant lastInput = null;
                boolean all = true;
                for (String need : n.needs()) {
                    ExperimentState.Run in = state.runs.get(need);
                    if (in == null || in.completedAt == null) {
                        all = false;
                        break;
                    }
                    lastInput = lastInput == null || in.completedAt.isAfter(lastInput) ? in.completedAt : lastInput;
                }
                // a retried run is issued after its own failure, not its inputs: only first attempts count
                if (all && r.attempts <= 1) {
                    toIssue = seconds(lastInput, r.issuedAt);
                    completeToIssue.add(toIssue);
                }
            }
            runs.put(n.runId(), new RunTimes(seconds(t0, r.issuedAt), seconds(t0, r.startedAt),
                    seconds(t0, r.firstStepAt), seconds(t0, r.completedAt), toStart, toIssue, queued));
        }
        Instant last = null;
        double cpu = 0;
        int reused = 0;
        double reusedCpu = 0;
        for (Planner.Node n : plan) {
            ExperimentState.Run r = state.runs.get(n.runId());
            if (r != null && r.completedAt != null && (last == null || r.completedAt.isAfter(last))) {
                last = r.completedAt;
            }
            var done = results.get(n.runId());
            if (done != null && r != null && r.reusedFrom != null) {
                reused++;
                reusedCpu += done.cpuSeconds();
            } else {
                cpu += done == null ? 0 : done.cpuSeconds();
            }
        }
        return new Timing(seconds(t0, firstStart), seconds(t0, firstStep), Stat.of(issueToStart), Stat.of(idle),
                Stat.of(completeToIssue), runs, new Cost(seconds(t0, last), cpu, cores, reused, reusedCpu));
    }

    /** The section results.md ends with (what {@code ./simclr report} prints). */
    public String markdown() {
        StringBuilder b = new StringBuilder("\n## coordination\n\n");
        b.append("Seconds, from the instants in the experiment's state (the workers' run-started, run-progress and "
                + "run-completed events, the coordinator's issue times).\n\n");
        b.append("- submit → first run started: ").append(fmt(submitToFirstStartSeconds))
                .append("; → first training step: ").append(fmt(submitToFirstStepSeconds)).append('\n');
        b.append("- request issued → run started, service idle: ").append(issueToStartIdle.text()).append('\n');
        b.append("- request issued → run started, all runs (includes waiting behind the service's other runs): ")
                .append(issueToStart.text()).append('\n');
        b.append("- last input completed → run issued: ").append(completeToIssue.text()).append('\n');
        if (costText() != null) {
            b.append("\n## cost\n\n- ").append(costText().replace("; runs'", "\n- runs'")).append('\n');
        }
        return b.toString();
    }

    /** The cost in one sentence (null before any run completed). */
    public String costText() {
        if (cost == null || cost.runShare() == null) {
            return null;
        }
        return String.format(Locale.ROOT, "wall: %.0f s, submit → last run completed; runs' own CPU: %.0f "
                        + "core-seconds = %.0f %% of the %.0f core-seconds of this host's %d cores over that time (the "
                        + "rest: start-up, scheduling gaps, I/O, waiting on Kafka or idle cores)", cost.wallSeconds(),
                cost.runCpuSeconds(), 100 * cost.runShare(), cost.availableCoreSeconds(), cost.cores())
                + (cost.reusedRuns() == 0 ? "" : String.format(Locale.ROOT, "; reused: %d runs finished before by "
                + "other experiments (%.0f core-seconds they had cost, not spent again)", cost.reusedRuns(),
                cost.reusedCpuSeconds()));
    }

    public static String fmt(Double seconds) {
        return seconds == null ? "–" : String.format(Locale.ROOT, "%.2f s", seconds);
    }

    private static Instant min(Instant a, Instant b) {
        if (b == null) {
            return a;
        }
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Double seconds(Instant from, Instant to) {
        if (from == null || to == null) {
            return null;
        }
        return Duration.between(from, to).toNanos() / 1e9;
    }
}
