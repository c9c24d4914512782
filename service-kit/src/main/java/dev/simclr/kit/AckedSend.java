package dev.simclr.kit;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Sends one record through an emitter and waits for the broker's acknowledgement, so nothing is lost behind a commit. */
public final class AckedSend {
    private AckedSend() {}

    /** {@code partition} null: the key decides. */
    public static void send(Emitter<String> emitter, String key, Integer partition, String payload) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(key);
        if (partition != null) {
            metadata = metadata.withPartition(partition);
        }
        Message<String> message = Message.of(payload)
                .addMetadata(metadata.build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    acked.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                });
        emitter.send(message);
        try {
            acked.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("record " + key + " not acknowledged by the broker: " + e, e);
        }
    }
}
