package dev.simclr.contracts;

/** Every message on the platform's topics. */
public sealed interface Event
        permits ExperimentSubmitted, ExperimentCompleted, ExperimentFailed, ExperimentCancelRequested,
                ExperimentCancelled,
                AugmentRequested, TrainRequested, DistillRequested, EvalRequested,
                RunStarted, RunProgress, RunCompleted, RunFailed {

    /** The schema version this build writes and reads. */
    int SCHEMA_VERSION = 1;

    int schemaVersion();
}
