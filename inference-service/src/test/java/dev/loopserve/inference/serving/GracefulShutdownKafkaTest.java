package dev.loopserve.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.loopserve.inference.TestModels;
import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.Priority;
import dev.loopserve.messages.Sampling;
import dev.loopserve.messages.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Stopping a worker finishes what it fetched, publishes every result and commits past them. */
@SpringBootTest(
    properties = {
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "loopserve.inference.intra-op-threads=1",
      "loopserve.inference.max-batch=4"
    })
@EmbeddedKafka(
    partitions = 1,
    topics = {
      "loopserve.requests.loop-demo",
      Topics.RESULTS,
      Topics.STATUS,
      Topics.TOKENS,
      Topics.CANCELLATIONS,
      Topics.HEARTBEATS,
      Topics.DLQ
    })
@DirtiesContext
class GracefulShutdownKafkaTest {

  private static final MessageCodec CODEC = new MessageCodec();

  @DynamicPropertySource
  static void models(DynamicPropertyRegistry registry) {
    registry.add("loopserve.inference.models-dir", () -> TestModels.modelsDir().toString());
  }

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired ModelWorkers workers;

  @Test
  void finishesInFlightRequestsThenCommits() throws Exception {
    int n = 6;
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      long now = System.currentTimeMillis();
      for (int i = 0; i < n; i++) {
        // Hot sampling keeps the model from saying <eos> early, so these are still running at
        // stop().
        var request =
            new InferenceRequest(
                "s-" + i,
                "t",
                "loop-demo",
                "a=" + i + ";a?",
                40,
                now,
                now,
                new Sampling(4.0, null, null, (long) i, List.of()),
                Budget.fixed(16),
                1,
                100,
                false,
                Priority.BATCH,
                null);
        producer
            .send(
                new ProducerRecord<>(
                    Topics.requestsTopic("loop-demo"), "s-" + i, CODEC.write(request)))
            .get();
      }
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> workers.stats().get(0).running() > 0);

    workers.stop();

    List<InferenceResult> results = new ArrayList<>();
    Map<String, Object> props = KafkaTestUtils.consumerProps(broker, "check", false);
    props.put("auto.offset.reset", "earliest");
    try (var consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.RESULTS));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                  results.add(CODEC.read(r.value(), InferenceResult.class));
                }
                return results.size() >= n;
              });
    }
    assertThat(results).extracting(InferenceResult::requestId).doesNotHaveDuplicates().hasSize(n);
    assertThat(results)
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(InferenceResult.Status.SUCCEEDED));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
      var committed =
          admin
              .listConsumerGroupOffsets(Topics.inferenceGroup("loop-demo"))
              .partitionsToOffsetAndMetadata()
              .get();
      assertThat(committed.get(new TopicPartition(Topics.requestsTopic("loop-demo"), 0)).offset())
          .isEqualTo(n);
    }
  }
}
