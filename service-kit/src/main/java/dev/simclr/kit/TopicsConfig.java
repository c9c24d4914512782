package dev.simclr.kit;

import dev.simclr.contracts.Topics;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topic of every named channel, from {@link Topics}, so that no properties file spells a topic name. Channels
 * named after their topic ({@code @Incoming(Topics.TRAIN_REQUESTS)}) need nothing; the others — a second channel on
 * a topic, such as a worker's re-queue, or a channel whose name says its role — are listed here. A service's
 * properties still say which channels it uses ({@code .connector=smallrye-kafka}); a key for a channel a service
 * does not use is never read: this answers a lookup of a channel's topic that nothing else answers, without adding a
 * property name (a listed name would make SmallRye set up a channel the service does not have).
 */
public final class TopicsConfig implements ConfigSourceInterceptor {
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
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        String topic = PROPERTIES.get(name);
        if ((value == null || value.getValue() == null) && topic != null) {
            return ConfigValue.builder().withName(name).withValue(topic).withConfigSourceName("simclr-topics")
                    .build();
        }
        return value;
    }
}
