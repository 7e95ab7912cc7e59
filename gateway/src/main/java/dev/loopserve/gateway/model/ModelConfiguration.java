package dev.loopserve.gateway.model;

import dev.loopserve.gateway.GatewayProperties;
import dev.loopserve.messages.DeadLetterSink;
import dev.loopserve.messages.MessageCodec;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

  @Bean
  ModelCatalog modelCatalog(GatewayProperties properties) throws IOException {
    return new ModelCatalog(new ModelPackageReader().readAll(properties.modelsDir()));
  }

  @Bean
  LiveWorkers liveWorkers(GatewayProperties properties, Clock clock) {
    return new LiveWorkers(clock, properties.heartbeatTimeout());
  }

  @Bean
  HeartbeatReader heartbeatReader(
      KafkaProperties kafka,
      LiveWorkers workers,
      MessageCodec codec,
      DeadLetterSink deadLetters,
      Clock clock,
      GatewayProperties properties) {
    Map<String, Object> props = new HashMap<>(kafka.buildConsumerProperties());
    // No group: this replica reads every partition itself and never commits.
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-heartbeats-" + UUID.randomUUID());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new HeartbeatReader(
        () -> new KafkaConsumer<>(props),
        workers,
        codec,
        deadLetters,
        clock,
        properties.heartbeatTimeout(),
        Duration.ofSeconds(2));
  }
}
