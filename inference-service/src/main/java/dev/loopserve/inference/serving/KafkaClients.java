package dev.loopserve.inference.serving;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

/**
 * Client settings for the plain Kafka clients, starting from Spring Boot's {@code spring.kafka.*}
 * so that one property points every client (these and the Spring Cloud Stream binder) at the
 * cluster.
 */
final class KafkaClients {

  private final KafkaProperties kafka;

  KafkaClients(KafkaProperties kafka) {
    this.kafka = kafka;
  }

  String bootstrapServers() {
    return String.join(",", kafka.getBootstrapServers());
  }

  Map<String, Object> producer(String clientId) {
    Map<String, Object> props = new HashMap<>(kafka.buildProducerProperties());
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    // A result is acknowledged only once it survives a broker failure, and retries never duplicate.
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    // Token events are sent from the engine thread: without a broker, fail a send after a while
    // rather than stall every request in the batch for the client's default minute.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    return props;
  }

  /** A consumer in {@code group} that commits by hand; null group for assign()-only readers. */
  Map<String, Object> consumer(String clientId, String group, int maxPollRecords) {
    Map<String, Object> props = new HashMap<>(kafka.buildConsumerProperties());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
    if (group == null) {
      props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    } else {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    return props;
  }
}
