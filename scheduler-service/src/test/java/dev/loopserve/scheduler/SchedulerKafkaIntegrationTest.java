package dev.loopserve.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.RecurrenceRequest;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The real Kafka binder against an embedded broker: decisions reach the request topic with their
 * budget fields, status is announced, unreadable prompts are parked, and the policy is published to
 * the compacted policy topic.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "loopserve.scheduler.models-dir=src/test/resources/models",
      "loopserve.scheduler.policy-interval=200ms"
    })
@EmbeddedKafka(
    partitions = 1,
    topics = {
      Topics.PROMPTS,
      Topics.STATUS,
      Topics.RESULTS,
      Topics.HEARTBEATS,
      Topics.DLQ,
      Topics.POLICY,
      "loopserve.requests.tiny"
    })
@DirtiesContext
class SchedulerKafkaIntegrationTest {

  @Autowired EmbeddedKafkaBroker broker;

  private final MessageCodec codec = new MessageCodec();

  @Test
  void routesPromptsAndParksUnreadableOnes() throws Exception {
    PromptSubmitted prompt =
        new PromptSubmitted(
            "r-42",
            "t",
            "tiny",
            "a=1;a?",
            2,
            1L,
            null,
            RecurrenceRequest.fixed(3),
            null,
            null,
            null);
    try (var producer = producer()) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.PROMPTS, "bad-1", "nope".getBytes(StandardCharsets.UTF_8)))
          .get();
      producer.send(new ProducerRecord<>(Topics.PROMPTS, "r-42", codec.write(prompt))).get();
    }

    ConsumerRecord<String, byte[]> routed = single("loopserve.requests.tiny");
    assertThat(routed.key()).isEqualTo("r-42");
    InferenceRequest request = codec.read(routed.value(), InferenceRequest.class);
    assertThat(request.budget()).isEqualTo(Budget.fixed(3));
    assertThat(request.policyVersion()).isEqualTo(1);
    assertThat(request.predictedLatencyMs()).isPositive();
    assertThat(request.degraded()).isFalse();

    ConsumerRecord<String, byte[]> status = single(Topics.STATUS);
    assertThat(status.key()).isEqualTo("r-42");
    assertThat(codec.read(status.value(), StatusUpdate.class).status())
        .isEqualTo(StatusUpdate.Status.SCHEDULED);

    ConsumerRecord<String, byte[]> dead = single(Topics.DLQ);
    assertThat(dead.key()).isEqualTo("bad-1");
    DeadLetter letter = codec.read(dead.value(), DeadLetter.class);
    assertThat(letter.sourceTopic()).isEqualTo(Topics.PROMPTS);
    assertThat(letter.payload()).isEqualTo("nope");
    assertThat(letter.offset()).isEqualTo(0L);

    ConsumerRecord<String, byte[]> policy = first(Topics.POLICY);
    assertThat(policy.key()).isEqualTo("tiny");
    PolicySnapshot snapshot = codec.read(policy.value(), PolicySnapshot.class);
    assertThat(snapshot.maxSteps()).isEqualTo(16);
    assertThat(snapshot.version()).isEqualTo(1);
  }

  private ConsumerRecord<String, byte[]> first(String topic) {
    Map<String, Object> props = KafkaTestUtils.consumerProps(broker, "t-" + topic, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (Consumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      broker.consumeFromAnEmbeddedTopic(consumer, topic);
      return KafkaTestUtils.getRecords(consumer, Duration.ofSeconds(30)).iterator().next();
    }
  }

  private ConsumerRecord<String, byte[]> single(String topic) {
    Map<String, Object> props = KafkaTestUtils.consumerProps(broker, "t-" + topic, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (Consumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      broker.consumeFromAnEmbeddedTopic(consumer, topic);
      return KafkaTestUtils.getSingleRecord(consumer, topic, Duration.ofSeconds(30));
    }
  }

  private KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
  }
}
