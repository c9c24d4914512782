package dev.simclr.platform.embedded;

import dev.simclr.contracts.Topics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the platform's topics ({@link Topics#all()}) where they are missing; safe to run at every start. */
public final class TopicAdmin {
    private TopicAdmin() {}

    public static void ensureTopics(String bootstrap, List<Topics.Spec> specs) {
        ensureTopics(bootstrap, specs, (short) 1);
    }

    /** {@code replication}: copies of each partition (1 on the embedded default, usually 3 on a cluster). */
    public static void ensureTopics(String bootstrap, List<Topics.Spec> specs, short replication) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get();
            for (Topics.Spec spec : specs) {
                if (existing.contains(spec.name())) {
                    continue;
                }
                NewTopic topic = new NewTopic(spec.name(), spec.partitions(), replication);
                if (spec.compacted()) {
                    topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                }
                try {
                    admin.createTopics(List.of(topic)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topics on " + bootstrap + ": " + e.getCause(), e);
        }
    }
}
