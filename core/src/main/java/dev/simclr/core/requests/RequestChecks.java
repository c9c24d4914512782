package dev.simclr.core.requests;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.EncoderFamily;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.LrScaling;
import dev.simclr.contracts.OptimizerName;
import dev.simclr.contracts.OptimizerSpec;
import dev.simclr.contracts.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks a request must pass beyond its JSON Schema (ranges, known names), collected so the failure event
 * names every problem at once. Each method appends "field: reason" lines.
 */
public final class RequestChecks {

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
        if (!(o.learningRate() > 0)) {
            problems.add(field + ".learningRate: must be positive, was " + o.learningRate());
        }
        if (o.momentum() < 0 || o.momentum() >= 1) {
            problems.add(field + ".momentum: " + o.momentum() + " is outside [0, 1)");
        }
        if (o.weightDecay() < 0) {
            problems.add(field + ".weightDecay: must not be negative, was " + o.weightDecay());
        }
        if (o.warmupEpochs() < 0) {
            problems.add(field + ".warmupEpochs: must not be negative, was " + o.warmupEpochs());
        }
        if (o.lrScaling() == null) {
            problems.add(field + ".lrScaling: missing (one of " + Wire.names(LrScaling.class) + ")");
        }
        return this;
    }

    public RequestChecks dataset(String field, DatasetRef d) {
        if (d == null || d.name() == null || d.version() == null) {
            return require(false, field + ": missing (name, version)");
        }
        if (d.name().isBlank() || d.version().isBlank()) {
            problems.add(field + ": name and version must not be empty");
        }
        return this;
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
