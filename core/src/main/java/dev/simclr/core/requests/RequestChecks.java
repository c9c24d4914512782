package dev.simclr.core.requests;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.Ids;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.OptimizerSpec;
import dev.simclr.contracts.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks a request must pass beyond its JSON Schema (ranges, known names), collected so the failure event
 * names every problem at once. Each method appends "field: reason" lines.
 */
public final class RequestChecks {
    /** Upper bounds of what one request may ask for: far above any study here, far below a typo's 1e9. */
    public static final int MAX_EPOCHS = 10_000;
    public static final int MAX_BATCH = 65_536;
    public static final double MAX_TEMPERATURE = 100;
    public static final double MAX_LEARNING_RATE = 100;
    public static final int MAX_KEY_LENGTH = 512;
    /** Object keys a request may name: relative, no {@code .} or {@code ..} segment, no exotic characters. */
    public static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*/?");

    private final List<String> problems = new ArrayList<>();

    public List<String> problems() {
        return problems;
    }

    public RequestChecks encoder(String field, EncoderSpec e) {
        if (e == null || e.family() == null) {
            return require(false, field + ": missing (family " + Wire.names(EncoderFamily.class) + ", depth, width)");
        }
        if (!e.family().depths().contains(e.depth())) {
            problems.add(field + ".depth: " + e.family().wireName() + " has no depth " + e.depth() + " (one of "
                    + e.family().depths() + ")");
        }
        if (!(e.width() > 0 && e.width() <= 8)) {
            problems.add(field + ".width: " + e.width() + " is outside (0, 8]");
        }
        return this;
    }

    public RequestChecks optimizer(String field, OptimizerSpec o) {
        if (o == null) {
            return require(false, field + ": missing (name, learningRate, momentum, weightDecay, nesterov, "
                    + "warmupEpochs, lrScaling)");
        }
        if (o.name() == null) {
            problems.add(field + ".name: missing (one of " + Wire.names(OptimizerName.class) + ")");
        }
        range(field + ".learningRate", o.learningRate(), 0, MAX_LEARNING_RATE);
        if (o.momentum() < 0 || o.momentum() >= 1) {
            problems.add(field + ".momentum: " + o.momentum() + " is outside [0, 1)");
        }
        if (!(o.weightDecay() >= 0 && o.weightDecay() <= 1)) {
            problems.add(field + ".weightDecay: " + o.weightDecay() + " is outside [0, 1]");
        }
        range(field + ".warmupEpochs", o.warmupEpochs(), 0, MAX_EPOCHS);
        if (o.lrScaling() == null) {
            problems.add(field + ".lrScaling: missing (one of " + Wire.names(LrScaling.class) + ")");
        }
        return this;
    }

    public RequestChecks dataset(String field, DatasetRef d) {
        if (d == null || d.name() == null || d.version() == null) {
            return require(false, field + ": missing (name, version)");
        }
        name(field + ".name", d.name());
        return name(field + ".version", d.version());
    }

    /** A dataset name or version: lower-case letters, digits, '.', '_', '-', at most 64, not starting with '.'. */
    public RequestChecks name(String field, String value) {
        if (!dev.simclr.core.dataset.DatasetStore.validName(value)) {
            problems.add(field + ": '" + shorten(value) + "' is not a name (lower-case letters, digits, '.', '_' "
                    + "and '-', at most 64, starting with a letter or digit)");
        }
        return this;
    }

    /** An id that becomes an object-key segment (runId, experimentId, viewsFromRun): {@link Ids}'s one rule. */
    public RequestChecks id(String field, String value) {
        Ids.problem(field, value).ifPresent(problems::add);
        return this;
    }

    /** An optional id: absent (null) is fine, present it must be an id. */
    public RequestChecks idIfPresent(String field, String value) {
        return value == null ? this : id(field, value);
    }

    /** An object key (a checkpoint, a run's output): relative, without '.' or '..' segments. */
    public RequestChecks key(String field, String value) {
        if (value == null || value.isEmpty()) {
            return require(false, field + ": missing");
        }
        if (value.length() > MAX_KEY_LENGTH || !KEY.matcher(value).matches()) {
            problems.add(field + ": '" + shorten(value) + "' is not an object key of this platform (relative, "
                    + "segments of letters, digits, '.', '_' and '-', no '.' or '..' segment, at most "
                    + MAX_KEY_LENGTH + " characters)");
        }
        return this;
    }

    /** An optional object key: absent (null or empty) is fine, present it must be a key. */
    public RequestChecks keyIfPresent(String field, String value) {
        return value == null || value.isEmpty() ? this : key(field, value);
    }

    public RequestChecks epochs(String field, long value) {
        return range(field, value, 1, MAX_EPOCHS);
    }

    public RequestChecks batchSize(String field, long value) {
        return range(field, value, 2, MAX_BATCH);
    }

    /** {@code lo ≤ value ≤ hi}. */
    public RequestChecks range(String field, long value, long lo, long hi) {
        if (value < lo || value > hi) {
            problems.add(field + ": " + value + " is outside [" + lo + ", " + hi + "]");
        }
        return this;
    }

    /** {@code lo < value ≤ hi} (and not NaN). */
    public RequestChecks range(String field, double value, double lo, double hi) {
        if (!(value > lo && value <= hi)) {
            problems.add(field + ": " + value + " is outside (" + lo + ", " + hi + "]");
        }
        return this;
    }

    static String shorten(String s) {
        if (s == null) {
            return "null";
        }
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    public RequestChecks positive(String field, long value) {
        if (value <= 0) {
            problems.add(field + ": must be positive, was " + value);
        }
        return this;
    }

    public RequestChecks positive(String field, double value) {
        if (!(value > 0)) {
            problems.add(field + ": must be positive, was " + value);
        }
        return this;
    }

    public RequestChecks fraction(String field, double value) {
        if (!(value > 0 && value <= 1)) {
            problems.add(field + ": " + value + " is outside (0, 1]");
        }
        return this;
    }

    public RequestChecks oneOf(String field, String value, Set<String> allowed) {
        if (!allowed.contains(value)) {
            problems.add(field + ": unknown '" + value + "' (one of " + sorted(allowed) + ")");
        }
        return this;
    }

    /** An augmentation policy spec ({@link dev.simclr.core.augment.AugmentPolicy}): its parse error, if any. */
    public RequestChecks policy(String field, String spec) {
        if (spec == null) {
            return require(false, field + ": missing");
        }
        try {
            dev.simclr.core.augment.AugmentPolicy.parse(spec);
        } catch (IllegalArgumentException e) {
            return require(false, field + ": " + e.getMessage());
        }
        return this;
    }

    public RequestChecks require(boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
        return this;
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }
}
