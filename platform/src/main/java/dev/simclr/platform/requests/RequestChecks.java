package dev.simclr.platform.requests;

import dev.simclr.contracts.DatasetRef;
import dev.simclr.contracts.EncoderSpec;
import dev.simclr.contracts.OptimizerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks a request must pass beyond its JSON Schema (ranges, known names), collected so the failure event
 * names every problem at once. Each method appends "field: reason" lines.
 */
public final class RequestChecks {
    public static final Map<String, Set<Integer>> ENCODER_DEPTHS = Map.of(
            "resnet", Set.of(18, 34, 50), "vgg", Set.of(11, 16));
    public static final Set<String> OPTIMIZERS = Set.of("sgd", "adam", "adamw", "lars");
    public static final Set<String> LR_SCALING = Set.of("none", "linear", "sqrt");

    private final List<String> problems = new ArrayList<>();

    public List<String> problems() {
        return problems;
    }

    public RequestChecks encoder(String field, EncoderSpec e) {
        if (e == null || e.family() == null) {
            return require(false, field + ": missing (family, depth, width)");
        }
        Set<Integer> depths = ENCODER_DEPTHS.get(e.family());
        if (depths == null) {
            problems.add(field + ".family: unknown architecture '" + e.family() + "' (resnet or vgg)");
        } else if (!depths.contains(e.depth())) {
            problems.add(field + ".depth: " + e.family() + " has no depth " + e.depth() + " (one of "
                    + depths.stream().sorted().toList() + ")");
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
        if (!OPTIMIZERS.contains(o.name())) {
            problems.add(field + ".name: unknown optimiser '" + o.name() + "' (one of " + sorted(OPTIMIZERS) + ")");
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
        if (!LR_SCALING.contains(o.lrScaling())) {
            problems.add(field + ".lrScaling: unknown '" + o.lrScaling() + "' (one of " + sorted(LR_SCALING) + ")");
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

    /** An augmentation policy spec ({@link dev.simclr.platform.augment.AugmentPolicy}): its parse error, if any. */
    public RequestChecks policy(String field, String spec) {
        if (spec == null) {
            return require(false, field + ": missing");
        }
        try {
            dev.simclr.platform.augment.AugmentPolicy.parse(spec);
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
