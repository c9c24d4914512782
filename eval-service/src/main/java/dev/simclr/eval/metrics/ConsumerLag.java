package dev.simclr.eval.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer lag per group and topic — the records a group has yet to read, summed over partitions — as KEDA's
 * Kafka scaler sees it: from the group's committed offsets and the partitions' end offsets.
 */
public final class ConsumerLag {
    /** A group's lag on one topic. */
    public record Key(String group, String topic) {}

    private ConsumerLag() {}

    public static Map<Key, Long> measure(Admin admin, long timeoutMillis)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<Key, Long> lag = new HashMap<>();
        for (ConsumerGroupListing g : admin.listConsumerGroups().all().get(timeoutMillis, TimeUnit.MILLISECONDS)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(g.groupId())
                    .partitionsToOffsetAndMetadata().get(timeoutMillis, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                    .get(timeoutMillis, TimeUnit.MILLISECONDS);
            committed.forEach((tp, at) -> {
                if (at != null && ends.containsKey(tp)) {
                    long behind = Math.max(0, ends.get(tp).offset() - at.offset());
                    lag.merge(new Key(g.groupId(), tp.topic()), behind, Long::sum);
                }
            });
        }
        return lag;
    }
}
