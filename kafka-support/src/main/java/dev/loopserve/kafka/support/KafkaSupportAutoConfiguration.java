package dev.loopserve.kafka.support;

import dev.loopserve.messages.DeadLetterSink;
import dev.loopserve.messages.MessageCodec;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;

/**
 * Gives every loopserve service a {@link MessageCodec}, a {@code kafka} health indicator (add it to
 * the readiness group) fed by a background probe, and a {@link DeadLetterSink}.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(KafkaSupportProperties.class)
public class KafkaSupportAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  MessageCodec messageCodec() {
    return new MessageCodec();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  KafkaConnectivity kafkaConnectivity(KafkaProperties kafka, KafkaSupportProperties props) {
    Map<String, Object> admin = new HashMap<>(kafka.buildAdminProperties());
    int timeoutMs = (int) props.probeTimeout().toMillis();
    admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    return new KafkaConnectivity(
        () -> Admin.create(admin),
        String.join(",", kafka.getBootstrapServers()),
        props.probeTimeout(),
        props.downLogInterval(),
        Clock.systemUTC());
  }

  @Bean
  SmartLifecycle kafkaConnectivityProbe(
      KafkaConnectivity connectivity, KafkaSupportProperties props) {
    return new ProbeLifecycle(connectivity, props);
  }

  @Bean(name = "kafkaHealthIndicator")
  @ConditionalOnMissingBean(name = "kafkaHealthIndicator")
  KafkaConnectivityHealthIndicator kafkaHealthIndicator(KafkaConnectivity connectivity) {
    return new KafkaConnectivityHealthIndicator(connectivity);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(DeadLetterSink.class)
  KafkaDeadLetterSink deadLetterSink(
      KafkaProperties kafka, KafkaSupportProperties props, MessageCodec codec) {
    Map<String, Object> producer = new HashMap<>(kafka.buildProducerProperties());
    producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producer.put(ProducerConfig.ACKS_CONFIG, "all");
    producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) props.deadLetterTimeout().toMillis());
    return new KafkaDeadLetterSink(new KafkaProducer<>(producer), codec, props.deadLetterTimeout());
  }

  /** Runs the probe on its own daemon thread for the life of the context. */
  static final class ProbeLifecycle implements SmartLifecycle {

    private final KafkaConnectivity connectivity;
    private final KafkaSupportProperties props;
    private ScheduledExecutorService executor;

    ProbeLifecycle(KafkaConnectivity connectivity, KafkaSupportProperties props) {
      this.connectivity = connectivity;
      this.props = props;
    }

    @Override
    public synchronized void start() {
      executor =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "kafka-connectivity-probe");
                t.setDaemon(true);
                return t;
              });
      executor.scheduleWithFixedDelay(
          connectivity::probe, 0, props.probeInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
      if (executor != null) {
        executor.shutdownNow();
        executor = null;
      }
    }

    @Override
    public synchronized boolean isRunning() {
      return executor != null;
    }
  }
}
