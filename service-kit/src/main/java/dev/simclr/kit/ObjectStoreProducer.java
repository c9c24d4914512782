package dev.simclr.kit;

import dev.simclr.contracts.StackSettings;
import dev.simclr.core.store.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The one {@link ObjectStore} of a service, built from {@link S3Config}. */
@ApplicationScoped
public class ObjectStoreProducer {
    @Produces
    @Singleton
    ObjectStore objectStore(S3Config s3, @ConfigProperty(name = "kafka.bootstrap.servers") String kafka) {
        return new ObjectStore(new StackSettings(kafka, s3.endpoint(), s3.bucket(), s3.region(), s3.accessKey(),
                s3.secretKey()));
    }
}
