package dev.simclr.contracts;

import java.util.List;

/** A message that is not a valid event: {@link #problems()} names each offending field. */
public class InvalidEventException extends RuntimeException {
    private final List<String> problems;

    public InvalidEventException(List<String> problems) {
        super("invalid event: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
