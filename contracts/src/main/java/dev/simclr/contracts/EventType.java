package dev.simclr.contracts;

import java.util.Arrays;
import java.util.Optional;

/** The wire name ({@code "type"} field), record class and topic of every event. */
public enum EventType {
    EXPERIMENT_SUBMITTED("experiment-submitted", ExperimentSubmitted.class, Topics.EXPERIMENTS),
    EXPERIMENT_COMPLETED("experiment-completed", ExperimentCompleted.class, Topics.EXPERIMENT_EVENTS),
    EXPERIMENT_FAILED("experiment-failed", ExperimentFailed.class, Topics.EXPERIMENT_EVENTS),
    EXPERIMENT_CANCEL_REQUESTED("experiment-cancel-requested", ExperimentCancelRequested.class, Topics.EXPERIMENTS),
    EXPERIMENT_CANCELLED("experiment-cancelled", ExperimentCancelled.class, Topics.EXPERIMENT_EVENTS),
    AUGMENT_REQUESTED("augment-requested", AugmentRequested.class, Topics.AUGMENT_REQUESTS),
    TRAIN_REQUESTED("train-requested", TrainRequested.class, Topics.TRAIN_REQUESTS),
    DISTILL_REQUESTED("distill-requested", DistillRequested.class, Topics.DISTILL_REQUESTS),
    EVAL_REQUESTED("eval-requested", EvalRequested.class, Topics.EVAL_REQUESTS),
    RUN_STARTED("run-started", RunStarted.class, Topics.RUN_EVENTS),
    RUN_PROGRESS("run-progress", RunProgress.class, Topics.RUN_EVENTS),
    RUN_COMPLETED("run-completed", RunCompleted.class, Topics.RUN_EVENTS),
    RUN_FAILED("run-failed", RunFailed.class, Topics.RUN_EVENTS);

    private final String wireName;
    private final Class<? extends Event> recordClass;
    private final String topic;

    EventType(String wireName, Class<? extends Event> recordClass, String topic) {
        this.wireName = wireName;
        this.recordClass = recordClass;
        this.topic = topic;
    }

    public String wireName() { return wireName; }
    public Class<? extends Event> recordClass() { return recordClass; }
    public String topic() { return topic; }
    /** Where the JSON Schema lives, on the classpath and under {@code contracts/src/main/resources}. */
    public String schemaResource() { return "schemas/" + wireName + ".schema.json"; }

    public static Optional<EventType> byWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    public static EventType of(Class<? extends Event> recordClass) {
        return Arrays.stream(values()).filter(t -> t.recordClass == recordClass).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an event record: " + recordClass));
    }
}
