package dev.simclr.eval.submission;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.Ids;
import dev.simclr.eval.plan.ExperimentSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one check of a submission, before anything is stored or planned — the REST resource and the experiments
 * topic's listener both call it, so a submission is refused for the same reasons whichever way it came. No I/O:
 * what needs the datasets (their classes, the planned work) is the coordinator's, after this.
 */
public final class SubmissionCheck {
    /** Recipe names: free text for people, but one line and short. */
    public static final Pattern RECIPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._+-]{0,63}");
    /**
     * The largest submission accepted, as JSON: far above any recipe (the demo's is 3 KB), below the broker's
     * default 1 MB record limit, so a submission that is accepted can always be sent.
     */
    public static final int MAX_BYTES = 256 * 1024;

    private SubmissionCheck() {}

    /** A checked submission: its spec when it reads, and every problem found (none: it may be planned). */
    public record Checked(ExperimentSpec spec, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Experiment ids become object keys and Kafka keys: {@link Ids}' one rule. */
    public static List<String> idProblems(String id) {
        return Ids.problem("experimentId", id).stream().toList();
    }

    public static Checked check(String experimentId, String recipe, JsonNode spec) {
        List<String> problems = new ArrayList<>(idProblems(experimentId));
        if (recipe == null || !RECIPE.matcher(recipe).matches()) {
            problems.add("recipe: a name of letters, digits, spaces, '.', '_', '+' and '-', at most 64, got '"
                    + printable(recipe) + "'");
        }
        ExperimentSpec read = null;
        if (spec == null || spec.isNull()) {
            problems.add("spec: missing");
        } else {
            try {
                read = ExperimentSpec.read(spec);
                problems.addAll(read.problems());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        return new Checked(problems.isEmpty() ? read : null, List.copyOf(problems));
    }

    /** A value as an error message may quote it: short, no control characters. */
    public static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
