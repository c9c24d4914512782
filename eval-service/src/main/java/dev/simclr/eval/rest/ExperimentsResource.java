package dev.simclr.eval.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentCancelRequested;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.contracts.Json;
import dev.simclr.core.Transient;
import dev.simclr.eval.coordinator.Coordinator;
import dev.simclr.eval.submission.SubmissionCheck;
import dev.simclr.kit.AckedSend;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
/**
 * {@code POST /experiments} with {@code {"recipe": name, "spec": {...}, "experimentId": optional, "submittedBy":
 * optional}}: checked here by exactly the rules the experiments topic applies ({@link Coordinator#check}), then
 * submitted through that topic, as any Kafka client would (202 with its id). Every refusal is a JSON body
 * {@code {"problems": [...]}} naming each problem: 400 for a bad body or spec, 413 over {@link
 * SubmissionCheck#MAX_BYTES} ({@link BodyLimit} before a declared body is read), 415 for a body that is not
 * {@code application/json}, 405 for a method a path does not take ({@link Problems}), 503 when the object store
 * is away. {@code GET /experiments}: a page of all, newest
 * first. {@code GET /experiments/{id}}: state, runs and their progress (400 for an id that cannot be one, 404 for an
 * unknown one). {@code DELETE /experiments/{id}}: cancel it.
 */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "experiments", description = "Submit, list, watch and cancel experiments. Every refusal is "
        + "{\"problems\": [...]}, one sentence per problem, naming the field.")
public class ExperimentsResource {
    static final Set<String> FIELDS = Set.of("experimentId", "recipe", "spec", "submittedBy");

    @Inject
    Coordinator coordinator;

    @Inject
    @Channel("experiments-out")
    Emitter<String> experiments;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit an experiment", description = "Checked by the rules the simclr.experiments topic "
            + "applies, then sent on it as an experiment-submitted event; the coordinator plans and runs it.")
    @RequestBody(required = true, description = "{\"recipe\": name, \"spec\": one scale of a recipes/*.json file, "
            + "\"experimentId\": optional, \"submittedBy\": optional}")
    @APIResponse(responseCode = "202", description = "Accepted: {experimentId, status (its URL), duplicate}")
    @APIResponse(responseCode = "400", description = "A bad body or spec: every problem, by field")
    @APIResponse(responseCode = "413", description = "Over 256 KiB")
    @APIResponse(responseCode = "415", description = "A body that is not application/json")
    @APIResponse(responseCode = "503", description = "The object store is not answering: try again")
    public Response submit(byte[] body) {
        if (body == null || body.length == 0) {
            return problems(400, List.of("message: empty; send {\"recipe\": ..., \"spec\": {...}}"));
        }
        if (body.length > SubmissionCheck.MAX_BYTES) {
            return problems(413, List.of("message: " + body.length + " bytes, at most " + SubmissionCheck.MAX_BYTES));
        }
        JsonNode node;
        try {
            node = Json.STRICT.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            return problems(400, List.of(Json.problem("", e)));
        }
        if (node == null || !node.isObject()) {
            return problems(400, List.of("message: expected a JSON object {\"recipe\": ..., \"spec\": {...}}"));
        }
        List<String> shape = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                shape.add(SubmissionCheck.printable(f) + ": unknown field (known: " + FIELDS.stream().sorted().toList()
                        + ")");
            }
        }
        for (String f : List.of("experimentId", "recipe", "submittedBy")) {
            if (node.has(f) && !node.get(f).isTextual() && !(f.equals("submittedBy") && node.get(f).isNull())) {
                shape.add(f + ": expected a string");
            }
        }
        if (!shape.isEmpty()) {
            return problems(400, shape);
        }
        String recipe = node.path("recipe").asText(null);
        String id = node.hasNonNull("experimentId") ? node.get("experimentId").asText()
                : (recipe == null ? "experiment" : recipe.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-"))
                        + "-" + UUID.randomUUID().toString().substring(0, 8);
        ExperimentSubmitted e = new ExperimentSubmitted(Event.SCHEMA_VERSION, id, recipe, node.get("spec"),
                node.path("submittedBy").asText(null), Instant.now());
        Coordinator.Submitted checked = coordinator.check(e);
        switch (checked.taken()) {
            case REFUSED -> {
                return problems(400, checked.problems());
            }
            case RETRY -> {
                return problems(503, List.of("the object store is not answering (" + String.join("; ",
                        checked.problems()) + "): try again in a minute"));
            }
            default -> { }
        }
        String json = EventCodec.encode(e);
        if (json.length() > SubmissionCheck.MAX_BYTES) {
            return problems(413, List.of("message: " + json.length() + " bytes, at most " + SubmissionCheck.MAX_BYTES));
        }
        AckedSend.send(experiments, id, null, json);
        return Response.accepted(Map.of("experimentId", id, "status", "/experiments/" + id,
                "duplicate", checked.taken() == Coordinator.Taken.DUPLICATE)).build();
    }

    /** Newest first; {@code offset} from 0, {@code limit} 1 to {@value #MAX_PAGE} (default 50). */
    @GET
    @Operation(summary = "List experiments", description = "Newest submission first: id, recipe, state, runs done "
            + "and planned, submitted.")
    @APIResponse(responseCode = "200", description = "{experiments: [...], offset, limit, total}")
    @APIResponse(responseCode = "400", description = "offset or limit out of range")
    @APIResponse(responseCode = "503", description = "The object store is not answering: try again")
    public Response list(@Parameter(description = "from 0") @QueryParam("offset") @DefaultValue("0") String offset,
                         @Parameter(description = "1 to 500") @QueryParam("limit") @DefaultValue("50") String limit) {
        List<String> bad = new ArrayList<>();
        int from = pageNumber("offset", offset, 0, Integer.MAX_VALUE, bad);
        int size = pageNumber("limit", limit, 1, MAX_PAGE, bad);
        if (!bad.isEmpty()) {
            return problems(400, bad);
        }
        try {
            return Response.ok(coordinator.list(from, size)).build();
        } catch (RuntimeException e) {
            if (Transient.in(e)) {
                return problems(503, List.of("the object store is not answering: try again in a minute"));
            }
            throw e;
        }
    }

    public static final int MAX_PAGE = 500;

    /** A paging parameter in [min, max], or its problem added (the REST API and the web page read them alike). */
    public static int pageNumber(String name, String value, int min, int max, List<String> problems) {
        try {
            int v = Integer.parseInt(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        problems.add(name + ": expected a whole number from " + min + " to " + max + ", got '"
                + SubmissionCheck.printable(value) + "'");
        return min;
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One experiment", description = "State, reasons, every run with its stage, study, labels, "
            + "progress and metrics.")
    @APIResponse(responseCode = "200", description = "The experiment")
    @APIResponse(responseCode = "400", description = "Not a possible experiment id")
    @APIResponse(responseCode = "404", description = "No such experiment")
    public Response status(@PathParam("id") String id) {
        List<String> bad = SubmissionCheck.idProblems(id);
        if (!bad.isEmpty()) {
            return problems(400, bad);
        }
        return coordinator.describe(id).map(d -> Response.ok(d).build())
                .orElse(problems(404, List.of("no experiment " + id)));
    }

    /**
     * {@code DELETE /experiments/{id}}: cancels an experiment under way — 202, then experiment-cancelled on
     * {@code simclr.experiment-events} once its coordinator has taken the request; 404 unknown, 409 already ended.
     */
    @DELETE
    @Path("{id}")
    @Operation(summary = "Cancel an experiment", description = "Sends experiment-cancel-requested on "
            + "simclr.experiments: no new run is issued, running slices stop at their next boundary, finished runs are "
            + "kept; the state becomes CANCELLED with an experiment-cancelled event on simclr.experiment-events.")
    @APIResponse(responseCode = "202", description = "Cancelling: {experimentId, status, cancelling}")
    @APIResponse(responseCode = "400", description = "Not a possible id, or a reason over 1000 characters")
    @APIResponse(responseCode = "404", description = "No such experiment")
    @APIResponse(responseCode = "409", description = "It has already ended")
    @APIResponse(responseCode = "503", description = "The object store is not answering: try again")
    public Response cancel(@PathParam("id") String id,
                           @Parameter(description = "why, kept in the event and the state") @QueryParam("reason")
                           String reason) {
        List<String> bad = SubmissionCheck.idProblems(id);
        if (reason != null && reason.length() > 1000) {
            bad = new ArrayList<>(bad);
            bad.add("reason: " + reason.length() + " characters, at most 1000");
        }
        if (!bad.isEmpty()) {
            return problems(400, bad);
        }
        Optional<Map<String, Object>> now;
        try {
            now = coordinator.describe(id);
        } catch (RuntimeException e) {
            if (Transient.in(e)) {
                return problems(503, List.of("the object store is not answering: try again in a minute"));
            }
            throw e;
        }
        if (now.isEmpty()) {
            return problems(404, List.of("no experiment " + id));
        }
        Object state = now.get().get("status");
        if (!"RUNNING".equals(String.valueOf(state))) {
            return problems(409, List.of("experiment " + id + " has already ended (" + String.valueOf(state)
                    .toLowerCase(Locale.ROOT) + "): nothing to cancel"));
        }
        AckedSend.send(experiments, id, null, EventCodec.encode(new ExperimentCancelRequested(Event.SCHEMA_VERSION,
                id, reason, Instant.now())));
        return Response.accepted(Map.of("experimentId", id, "status", "/experiments/" + id, "cancelling", true))
                .build();
    }

    static Response problems(int status, List<String> problems) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("problems", problems)).build();
    }
}
