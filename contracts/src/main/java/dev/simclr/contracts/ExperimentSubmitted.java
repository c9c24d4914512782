package dev.simclr.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** A researcher asks for an experiment: a recipe (by name) and its parameters, as written in {@code recipes/}. */
public record ExperimentSubmitted(
        int schemaVersion,
        String experimentId,
        String recipe,
        JsonNode spec,
        @Nullable String submittedBy,
        Instant submittedAt) implements Event {}
