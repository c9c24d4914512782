package dev.simclr.eval.rest;

import dev.simclr.core.Transient;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The one place that maps what escapes a resource to the JSON problem body: the framework's own answers (404, 405,
 * 415) keep their status, an unavailable store or broker is 503, anything else is 500 — never an empty body. (A
 * body over the limit is answered before JAX-RS sees it, by {@link BodyLimit}, in the same form.)
 */
@Provider
public class Problems implements ExceptionMapper<Throwable> {
    private static final Logger LOG = Logger.getLogger(Problems.class);

    @Override
    public Response toResponse(Throwable e) {
        if (e instanceof WebApplicationException w) {
            int status = w.getResponse().getStatus();
            return ExperimentsResource.problems(status, List.of(w.getResponse().getStatusInfo().getReasonPhrase()
                    + (w.getMessage() == null ? "" : ": " + w.getMessage())));
        }
        if (Transient.in(e)) {
            return ExperimentsResource.problems(503, List.of(e.getMessage() + ": try again in a minute"));
        }
        LOG.error("request failed", e);
        return ExperimentsResource.problems(500, List.of(e.getClass().getSimpleName() + ": " + e.getMessage()));
    }
}
