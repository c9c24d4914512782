package dev.simclr.kit;

import dev.simclr.core.store.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the object store answers and the bucket exists (Kafka has its own check). */
@Readiness
@ApplicationScoped
public class ObjectStoreReadiness implements HealthCheck {
    @Inject
    ObjectStore store;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("object-store").status(store.reachable())
                .withData("bucket", store.bucket()).build();
    }
}
