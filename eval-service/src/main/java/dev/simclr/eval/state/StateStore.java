package dev.simclr.eval.state;

import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Json;
import dev.simclr.core.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the coordinator keeps what must survive a restart, in object storage:
 * {@code experiments/<id>/submitted.json} (the submission as it came) and {@code experiments/<id>/state.json}
 * (where it stands, after every change). Storage errors pass through: callers retry on their next pass.
 */
public final class StateStore {
    private final ObjectStore store;

    public StateStore(ObjectStore store) {
        this.store = store;
    }

    public static String submittedKey(String id) {
        return "experiments/" + id + "/submitted.json";
    }

    public static String stateKey(String id) {
        return "experiments/" + id + "/state.json";
    }

    public Optional<ExperimentSubmitted> submitted(String id) {
        return store.getIfExists(submittedKey(id))
                .map(b -> EventCodec.decode(new String(b, StandardCharsets.UTF_8), ExperimentSubmitted.class));
    }

    public void saveSubmitted(ExperimentSubmitted e) {
        store.put(submittedKey(e.experimentId()), EventCodec.encode(e).getBytes(StandardCharsets.UTF_8),
                "application/json");
    }

    public void save(ExperimentState state) {
        try {
            store.put(stateKey(state.experimentId), Json.MAPPER.writeValueAsBytes(state), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<ExperimentState> load(String id) {
        return store.getIfExists(stateKey(id)).map(StateStore::read);
    }

    /** Every stored experiment's state (a list, then one read each). */
    public List<ExperimentState> all() {
        List<ExperimentState> out = new ArrayList<>();
        for (String key : store.list("experiments/")) {
            if (key.endsWith("/state.json")) {
                out.add(read(store.get(key)));
            }
        }
        return out;
    }

    private static ExperimentState read(byte[] bytes) {
        try {
            return Json.MAPPER.readValue(bytes, ExperimentState.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
