package dev.simclr.contracts;

import dev.simclr.contracts.Topics;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the platform's topics ({@link Topics#all()}) where they are missing; safe to run at every start. */
public final class TopicAdmin {
    private TopicAdmin() {}

    /**
     * {@code java -cp … dev.simclr.contracts.TopicAdmin [--replication N]}: creates the topics on
     * {@code $KAFKA_BOOTSTRAP_SERVERS} (docker-compose and Kubernetes run it before the services).
     */
    public static void main(String[] args) {
        short replication = 1;
        if (args.length == 2 && args[0].equals("--replication") && args[1].matches("[1-9]")) {
            replication = Short.parseShort(args[1]);
        } else if (args.length != 0) {
            System.err.println("usage: TopicAdmin [--replication N]  (N: copies of each partition, 1-9)");
            System.exit(2);
        }
        ensureTopics(StackSettings.fromEnv().kafkaBootstrapServers(), Topics.all(), replication);
        Topics.all().forEach(t -> System.out.printf("%-26s %d partition(s)%n", t.name(), t.partitions()));
    }

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
