package dev.simclr.eval.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.simclr.contracts.Event;
import dev.simclr.contracts.EventCodec;
import dev.simclr.contracts.ExperimentSubmitted;
import dev.simclr.eval.coordinator.Coordinator;
import dev.simclr.eval.plan.ExperimentSpec;
import dev.simclr.kit.AckedSend;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * {@code POST /experiments} with {@code {"recipe": name, "spec": {...}, "experimentId": optional}}: the spec is
 * checked here (400 with every reason) and the experiment submitted through the experiments topic, as any Kafka
 * client would (202 with its id). {@code GET /experiments/{id}}: state, runs and their progress.
 */
@Path("/experiments")
@Produces(MediaType.APPLICATION_JSON)
public class ExperimentsResource {
    @Inject
    Coordinator coordinator;

    @Inject
    @Channel("experiments-out")
    Emitter<String> experiments;

    public record Submission(String experimentId, String recipe, JsonNode spec, String submittedBy) {}

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(Submission s) {
        List<String> problems = new ArrayList<>();
        if (s == null || s.spec() == null) {
            problems.add("spec: missing");
        } else {
            try {
                problems.addAll(ExperimentSpec.read(s.spec()).problems());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (s != null && (s.recipe() == null || s.recipe().isBlank())) {
            problems.add("recipe: name the recipe");
        }
        if (!problems.isEmpty()) {
            return Response.status(400).entity(Map.of("problems", problems)).build();
        }
        String id = s.experimentId() != null ? s.experimentId()
                : s.recipe() + "-" + UUID.randomUUID().toString().substring(0, 8);
        AckedSend.send(experiments, id, null, EventCodec.encode(new ExperimentSubmitted(Event.SCHEMA_VERSION, id,
                s.recipe(), s.spec(), s.submittedBy(), Instant.now())));
        return Response.accepted(Map.of("experimentId", id, "status", "/experiments/" + id)).build();
    }

    @GET
    @Path("{id}")
    public Response status(@PathParam("id") String id) {
        return coordinator.describe(id).map(d -> Response.ok(d).build())
                .orElse(Response.status(404).entity(Map.of("problems", List.of("no experiment " + id))).build());
    }
}
