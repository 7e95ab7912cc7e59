package dev.loopserve.scheduler.routing;

import java.nio.charset.StandardCharsets;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.MessageHeaders;

/** Where an inbound message came from, read from the Kafka binder's headers when present. */
record RecordOrigin(String topic, int partition, long offset, String key) {

  static RecordOrigin of(MessageHeaders headers, String defaultTopic) {
    Object topic = headers.get(KafkaHeaders.RECEIVED_TOPIC);
    Object partition = headers.get(KafkaHeaders.RECEIVED_PARTITION);
    Object offset = headers.get(KafkaHeaders.OFFSET);
    Object key = headers.get(KafkaHeaders.RECEIVED_KEY);
    return new RecordOrigin(
        topic instanceof String t ? t : defaultTopic,
        partition instanceof Number n ? n.intValue() : -1,
        offset instanceof Number n ? n.longValue() : -1L,
        key instanceof byte[] b
            ? new String(b, StandardCharsets.UTF_8)
            : key == null ? null : key.toString());
  }
}
