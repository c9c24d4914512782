package dev.simclr.kit;

import dev.simclr.contracts.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The topic of every named channel, from {@link Topics}, so that no properties file spells a topic name. Channels
 * named after their topic ({@code @Incoming(Topics.TRAIN_REQUESTS)}) need nothing; the others — a second channel on
 * a topic, such as a worker's re-queue, or a channel whose name says its role — are listed here. A service's
 * properties still say which channels it uses ({@code .connector=smallrye-kafka}); a key for a channel a service
 * does not use is never read. Ordinal 150: below application.properties (250), which may still override.
 */
public final class TopicsConfigSource implements ConfigSource {
    /** Channel name → topic. */
    public static final Map<String, String> CHANNELS;

    static {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("outgoing.train-requeue", Topics.TRAIN_REQUESTS);
        c.put("outgoing.distill-requeue", Topics.DISTILL_REQUESTS);
        c.put("outgoing.augment-requeue", Topics.AUGMENT_REQUESTS);
        c.put("outgoing.eval-requeue", Topics.EVAL_REQUESTS);
        c.put("outgoing.train-out", Topics.TRAIN_REQUESTS);
        c.put("outgoing.distill-out", Topics.DISTILL_REQUESTS);
        c.put("outgoing.eval-out", Topics.EVAL_REQUESTS);
        c.put("outgoing.augment-out", Topics.AUGMENT_REQUESTS);
        c.put("outgoing.experiment-events-out", Topics.EXPERIMENT_EVENTS);
        c.put("outgoing.experiments-out", Topics.EXPERIMENTS);
        c.put("outgoing.experiments-requeue", Topics.EXPERIMENTS);
        c.put("outgoing.dead-letters", Topics.DEAD_LETTERS);
        c.put("incoming.run-events-in", Topics.RUN_EVENTS);
        CHANNELS = Map.copyOf(c);
    }

    private static final Map<String, String> PROPERTIES;

    static {
        Map<String, String> p = new LinkedHashMap<>();
        CHANNELS.forEach((channel, topic) -> p.put("mp.messaging." + channel + ".topic", topic));
        PROPERTIES = Map.copyOf(p);
    }

    @Override
    public Map<String, String> getProperties() {
        return PROPERTIES;
    }

    @Override
    public Set<String> getPropertyNames() {
        return PROPERTIES.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return PROPERTIES.get(propertyName);
    }

    @Override
    public String getName() {
        return "simclr-topics";
    }

    @Override
    public int getOrdinal() {
        return 150;
    }
}
