package dev.simclr.kit;

import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.InvalidEventException;
import dev.simclr.contracts.Stage;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * What every worker does with a request off its topic: decode against the schema, check ranges, say run-started,
 * hand it on. A bad request becomes a run-failed event that names every problem, and the consumer goes on with the
 * next one.
 */
public final class RequestIntake {
    private static final Logger LOG = Logger.getLogger(RequestIntake.class);

    private RequestIntake() {}

    /** {@code stage}: the worker's stage, unless the request names its own (pretrain or finetune). */
    public static <T extends Event> void handle(String json, Class<T> type, Stage defaultStage,
                                                Function<T, List<String>> checks, Consumer<T> execute,
                                                RunEventsEmitter events) {
        Stage stage = stageOf(json, defaultStage);
        T request;
        try {
            request = EventCodec.decode(json, type);
        } catch (InvalidEventException e) {
            String runId = EventCodec.textField(json, "runId");
            events.failed(EventCodec.textField(json, "experimentId"), runId, stage,
                    "invalid " + stage.wireName() + " request: " + String.join("; ", e.problems()));
            return;
        }
        List<String> problems = checks.apply(request);
        String experimentId = EventCodec.textField(json, "experimentId");
        String runId = EventCodec.textField(json, "runId");
        if (!problems.isEmpty()) {
            events.failed(experimentId, runId, stage,
                    "invalid " + stage.wireName() + " request: " + String.join("; ", problems));
            return;
        }
        try {
            events.started(experimentId, runId, stage);
            execute.accept(request);
        } catch (RuntimeException e) {
            LOG.errorf(e, "run %s (experiment %s) failed", runId, experimentId);
            events.failed(experimentId, runId, stage, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Stage stageOf(String json, Stage defaultStage) {
        String named = EventCodec.textField(json, "stage");
        for (Stage s : Stage.values()) {
            if (s.wireName().equals(named)) {
                return s;
            }
        }
        return defaultStage;
    }
}
