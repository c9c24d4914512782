package dev.simclr.kit;

import dev.simclr.contracts.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Records that could not be handled go to {@link Topics#DEAD_LETTERS} as they came (same key and value), with
 * where they came from and why in headers — the names SmallRye's dead-letter strategy uses
 * ({@code dead-letter-reason}, {@code dead-letter-topic}, {@code dead-letter-partition}, {@code dead-letter-offset})
 * — and are counted [simclr_dead_letters_total{topic}]. Best effort and bounded: a broker that is away costs a
 * log line, never the consumer (the record was answered already).
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    /** Reasons are cut here: a header is not a place for a 5 MB echo of the input. */
    static final int MAX_REASON = 2000;

    @Inject
    @Channel("dead-letters")
    Emitter<String> out;

    @Inject
    MeterRegistry registry;

    public void send(ConsumerRecord<String, String> record, String reason) {
        send(record.topic(), record.partition(), record.offset(), record.key(), record.value(), reason);
    }

    public void send(String topic, int partition, long offset, String key, String value, String reason) {
        registry.counter("simclr_dead_letters_total", "topic", topic).increment();
        String why = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) + "…" : reason;
        LOG.warnf("dead letter from %s-%d@%d (key %s): %s", topic, partition, offset, key, why);
        RecordHeaders headers = new RecordHeaders();
        headers.add("dead-letter-reason", why.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", topic.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        var metadata = OutgoingKafkaRecordMetadata.<String>builder().withKey(key).withHeaders(headers).build();
        try {
            AckedSend.send(out, Message.of(value == null ? "" : value).addMetadata(metadata), key);
        } catch (RuntimeException e) {
            LOG.errorf("dead letter from %s-%d@%d not stored: %s", topic, partition, offset, e.getMessage());
        }
    }
}
