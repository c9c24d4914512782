package dev.simclr.kit;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Sends one record through an emitter and waits for the broker's acknowledgement, so nothing is lost behind a
 * commit. The wait is bounded ({@link #TIMEOUT}): a handler never holds its record for long on a broker outage.
 */
public final class AckedSend {
    /** Longer than a broker restart's usual gap, well under SmallRye's unprocessed-record age limit. */
    public static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(10);

    private AckedSend() {}

    /** {@code partition} null: the key decides. */
    public static void send(Emitter<String> emitter, String key, Integer partition, String payload) {
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(key);
        if (partition != null) {
            metadata = metadata.withPartition(partition);
        }
        send(emitter, Message.of(payload).addMetadata(metadata.build()), key);
    }

    /** A message with its metadata (key, partition, headers) already set; {@code key} names it in errors. */
    public static void send(Emitter<String> emitter, Message<String> payload, String key) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        Message<String> message = payload
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(e -> {
                    acked.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                });
        try {
            emitter.send(message);
            acked.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted while sending record " + key, e);
        } catch (Exception e) {
            throw new BrokerUnavailableException("record " + key + " not acknowledged by the broker within "
                    + TIMEOUT.toSeconds() + " s: " + e, e);
        }
    }
}
