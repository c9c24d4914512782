package dev.simclr.eval.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.simclr.contracts.Json;
import dev.simclr.eval.submission.SubmissionCheck;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;

/**
 * A body declared larger than {@link SubmissionCheck#MAX_BYTES} is refused before it is read: 413 with the JSON
 * problem body every refusal has. The HTTP layer's own limit ({@code quarkus.http.limits.max-body-size}) answers
 * such a request too, but with an empty body, before any JAX-RS mapper ({@link Problems}) could see it: this route
 * runs first (order -3, the HTTP layer's is -2). A body without a declared length is counted by the resource.
 */
@ApplicationScoped
public class BodyLimit {
    void install(@Observes Router router) {
        router.route().order(-3).handler(ctx -> {
            long declared = declaredLength(ctx.request().getHeader("Content-Length"));
            if (declared <= SubmissionCheck.MAX_BYTES) {
                ctx.next();
                return;
            }
            // the body is not read: the connection cannot carry another request after this answer
            ctx.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                    .putHeader("Connection", "close").end(json(List.of("message: " + declared + " bytes, at most "
                            + SubmissionCheck.MAX_BYTES)));
        });
    }

    private static long declaredLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1; // the HTTP layer refuses a malformed length itself
        }
    }

    private static String json(List<String> problems) {
        try {
            return Json.MAPPER.writeValueAsString(Map.of("problems", problems));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
