package dev.simclr.kit;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every metric carries {@code service="<quarkus.application.name>"}: dashboards tell the services apart by it on
 * docker-compose, Kubernetes and the embedded default alike, whatever the scraper names its jobs.
 */
@Singleton
public class ServiceTag {
    @ConfigProperty(name = "quarkus.application.name")
    String service;

    @Produces
    @Singleton
    MeterFilter serviceTag() {
        return MeterFilter.commonTags(Tags.of("service", service));
    }
}
