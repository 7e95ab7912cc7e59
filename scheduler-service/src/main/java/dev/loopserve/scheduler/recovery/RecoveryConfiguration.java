package dev.loopserve.scheduler.recovery;

import dev.loopserve.messages.MessageCodec;
import dev.loopserve.scheduler.SchedulerProperties;
import dev.loopserve.scheduler.budget.AdaptiveBudgetPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Start-up recovery of overrides and outstanding work (see {@link StateRecovery}). */
@Configuration(proxyBeanMethods = false)
class RecoveryConfiguration {

  @Bean
  RecoveryLifecycle stateRecovery(
      SchedulerProperties properties,
      KafkaProperties kafka,
      Admin schedulerAdmin,
      MessageCodec codec,
      AdaptiveBudgetPolicy policy,
      Clock clock) {
    if (!properties.recovery()) {
      return new RecoveryLifecycle(() -> new StateRecovery.Outcome(0, 0), Duration.ofSeconds(10));
    }
    Map<String, Object> props = new HashMap<>(kafka.buildConsumerProperties());
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new RecoveryLifecycle(
        () -> {
          try (var consumer = new KafkaConsumer<String, byte[]>(props)) {
            return new StateRecovery(
                    schedulerAdmin, consumer, codec, policy, clock, properties.recoveryTimeout())
                .run();
          }
        },
        Duration.ofSeconds(10));
  }
}
