package dev.loopserve.kafka.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;

@EmbeddedKafka(topics = Topics.DLQ)
class KafkaConnectivityTest {

  @Test
  void reportsUpWhileTheBrokerAnswers(EmbeddedKafkaBroker broker) {
    KafkaConnectivity connectivity = connectivity(broker.getBrokersAsString());
    try {
      assertThat(connectivity.state().up()).as("before the first probe").isFalse();

      assertThat(connectivity.probe().up()).isTrue();
      assertThat(connectivity.state().brokers()).isEqualTo(1);
      assertThat(new KafkaConnectivityHealthIndicator(connectivity).health().getStatus())
          .isEqualTo(Status.UP);
    } finally {
      connectivity.close();
    }
  }

  @Test
  void reportsDownWithoutThrowingWhenNothingListens() {
    KafkaConnectivity connectivity = connectivity("127.0.0.1:1");
    try {
      long start = System.nanoTime();

      KafkaConnectivity.State state = connectivity.probe();

      assertThat(state.up()).isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      var health = new KafkaConnectivityHealthIndicator(connectivity).health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("bootstrapServers", "127.0.0.1:1");
    } finally {
      connectivity.close();
    }
  }

  @Test
  void deadLettersReachTheDlqTopic(EmbeddedKafkaBroker broker) {
    MessageCodec codec = new MessageCodec();
    Map<String, Object> producerProps =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (var sink =
        new KafkaDeadLetterSink(
            new KafkaProducer<>(producerProps), codec, Duration.ofSeconds(10))) {
      sink.publish("r1", DeadLetter.of(Topics.PROMPTS, 0, 3L, "r1", "broken", "x".getBytes(), 9L));
    }

    Map<String, Object> consumerProps =
        KafkaTestUtils.consumerProps(broker.getBrokersAsString(), "dlq-test");
    consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (var consumer = new KafkaConsumer<String, byte[]>(consumerProps)) {
      consumer.subscribe(java.util.List.of(Topics.DLQ));
      var record = KafkaTestUtils.getSingleRecord(consumer, Topics.DLQ, Duration.ofSeconds(20));
      assertThat(record.key()).isEqualTo("r1");
      DeadLetter letter = codec.read(record.value(), DeadLetter.class);
      assertThat(letter.reason()).isEqualTo("broken");
      assertThat(letter.sourceTopic()).isEqualTo(Topics.PROMPTS);
    }
  }

  private static KafkaConnectivity connectivity(String bootstrap) {
    Map<String, Object> props =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
    return new KafkaConnectivity(
        () -> Admin.create(props),
        bootstrap,
        Duration.ofSeconds(2),
        Duration.ofSeconds(30),
        Clock.systemUTC());
  }
}
