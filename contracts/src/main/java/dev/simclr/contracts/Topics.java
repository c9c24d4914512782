package dev.simclr.contracts;

import java.util.List;

/** Every Kafka topic of the platform: the only place its names are spelled. */
public final class Topics {
    private Topics() {}

    /** experiment-submitted, keyed by experiment id. Any Kafka client may produce here. */
    public static final String EXPERIMENTS = "simclr.experiments";
    /** experiment-completed / experiment-failed, keyed by experiment id. */
    public static final String EXPERIMENT_EVENTS = "simclr.experiment-events";
    public static final String AUGMENT_REQUESTS = "simclr.augment-requests";
    public static final String TRAIN_REQUESTS = "simclr.train-requests";
    public static final String DISTILL_REQUESTS = "simclr.distill-requests";
    public static final String EVAL_REQUESTS = "simclr.eval-requests";
    /** run-progress / run-completed / run-failed from every worker, keyed by run id. */
    public static final String RUN_EVENTS = "simclr.run-events";

    /**
     * Records a consumer could not handle, as they came, with the reason and their origin in headers
     * ({@code dead-letter-reason}, {@code dead-letter-topic}, {@code -partition}, {@code -offset}).
     */
    public static final String DEAD_LETTERS = "simclr.dead-letters";

    /** A topic with the partition count the platform creates it with. */
    public record Spec(String name, int partitions) {}

    /** Request topics have several partitions so that several worker instances share the runs. */
    public static final int REQUEST_PARTITIONS = 4;

    public static List<Spec> all() {
        return List.of(
                new Spec(EXPERIMENTS, 1),
                new Spec(EXPERIMENT_EVENTS, 1),
                new Spec(AUGMENT_REQUESTS, REQUEST_PARTITIONS),
                new Spec(TRAIN_REQUESTS, REQUEST_PARTITIONS),
                new Spec(DISTILL_REQUESTS, REQUEST_PARTITIONS),
                new Spec(EVAL_REQUESTS, REQUEST_PARTITIONS),
                new Spec(RUN_EVENTS, REQUEST_PARTITIONS),
                new Spec(DEAD_LETTERS, 1));
    }
}
