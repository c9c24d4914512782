package dev.simclr.contracts;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one rule for the ids requests carry ({@code experimentId}, {@code runId}, {@code viewsFromRun}): they become
 * object-key segments ({@code runs/<runId>/}, {@code views/<runId>/}, {@code experiments/<experimentId>/}) and
 * Kafka keys, so they must never leave their prefix nor depend on how a store treats odd characters. Run ids are
 * {@code <stage>-<16 hex>} ({@link RunIds}); experiment ids are the submitter's or generated; both fit.
 */
public final class Ids {
    /** Lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters. */
    public static final Pattern PATTERN = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    /** The rule as a message says it. */
    public static final String RULE = "must match " + PATTERN.pattern() + ", no '..'";

    private Ids() {}

    public static boolean valid(String id) {
        return id != null && PATTERN.matcher(id).matches() && !id.contains("..");
    }

    /** {@code "<field>: must match …, no '..', got '<id>'"} when {@code id} breaks the rule. */
    public static Optional<String> problem(String field, String id) {
        return valid(id) ? Optional.empty() : Optional.of(field + ": " + RULE + ", got " + quoted(id));
    }

    /** Throws {@link IllegalArgumentException} with {@link #problem}'s message; returns {@code id} otherwise. */
    public static String require(String field, String id) {
        problem(field, id).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        return id;
    }

    /** The id as a message may show it: at most 80 characters, control characters as '?'. */
    private static String quoted(String id) {
        if (id == null) {
            return "none";
        }
        String t = id.length() > 80 ? id.substring(0, 80) + "…" : id;
        return "'" + t.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
