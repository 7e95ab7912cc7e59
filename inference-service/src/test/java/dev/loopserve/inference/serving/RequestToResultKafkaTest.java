package dev.loopserve.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.TestModels;
import dev.loopserve.inference.model.ModelRegistry;
import dev.loopserve.inference.runtime.GenerationResult;
import dev.loopserve.inference.runtime.SequentialGenerator;
import dev.loopserve.inference.runtime.TokenListener;
import dev.loopserve.messages.Budget;
import dev.loopserve.messages.CancelRequest;
import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.Priority;
import dev.loopserve.messages.Sampling;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.TokenEvent;
import dev.loopserve.messages.Topics;
import dev.loopserve.messages.WorkerHeartbeat;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The whole worker against a real (embedded) broker: request in, result out, and the edges. */
@SpringBootTest(
    properties = {
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "loopserve.inference.heartbeat-interval=500ms",
      "loopserve.inference.intra-op-threads=1"
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
class RequestToResultKafkaTest {

  private static final String REQUESTS = Topics.requestsTopic("loop-demo");
  private static final MessageCodec CODEC = new MessageCodec();

  @DynamicPropertySource
  static void models(DynamicPropertyRegistry registry) {
    registry.add("loopserve.inference.models-dir", () -> TestModels.modelsDir().toString());
  }

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired ModelRegistry models;
  @Autowired Cancellations cancellations;
  @Autowired AnsweredRequests answered;
  @Autowired MeterRegistry meters;

  private Producer<String, byte[]> producer;
  private Consumer<String, byte[]> consumer;
  private final List<ConsumerRecord<String, byte[]>> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void clients() {
    producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer());
    Map<String, Object> props =
        KafkaTestUtils.consumerProps(broker, "test-" + System.nanoTime(), false);
    props.put("auto.offset.reset", "earliest");
    consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(
        List.of(Topics.RESULTS, Topics.STATUS, Topics.TOKENS, Topics.HEARTBEATS, Topics.DLQ));
  }

  @AfterEach
  void close() {
    producer.close();
    consumer.close();
  }

  @Test
  void answersARequestOnceAndStreamsItsTokens() throws Exception {
    InferenceRequest request = request("r-1", "a=3;b=a+4;c=b*2;c?", null);
    send(request.requestId(), CODEC.write(request));

    InferenceResult result = awaitResult("r-1");

    GenerationResult expected =
        new SequentialGenerator(
                OrtEnvironment.getEnvironment(), models.find("loop-demo").orElseThrow())
            .generate(
                RequestTranslator.translate(request, models.find("loop-demo").orElseThrow()),
                TokenListener.NONE,
                () -> false);
    assertThat(result.status()).isEqualTo(InferenceResult.Status.SUCCEEDED);
    assertThat(result.text()).isEqualTo(expected.text());
    assertThat(result.tokenIds())
        .containsExactlyElementsOf(Arrays.stream(expected.tokenIds()).boxed().toList());
    assertThat(result.stepsPerToken()).isNotEmpty().containsOnly(8);
    assertThat(result.computeNanos()).isPositive();
    assertThat(result.timings().startedAt()).isNotNull();
    assertThat(of(Topics.TOKENS, "r-1", TokenEvent.class))
        .extracting(TokenEvent::text)
        .containsExactlyElementsOf(
            expected.text().chars().mapToObj(c -> String.valueOf((char) c)).toList());
    assertThat(of(Topics.STATUS, "r-1", StatusUpdate.class))
        .extracting(StatusUpdate::status)
        .containsExactly(StatusUpdate.Status.RUNNING);

    // Redelivered (e.g. after a crash before the commit): acknowledged, not answered again.
    send(request.requestId(), CODEC.write(request));
    send("r-2", CODEC.write(request("r-2", "a=1;a?", null)));
    awaitResult("r-2");
    poll(Duration.ofSeconds(1));
    assertThat(of(Topics.RESULTS, "r-1", InferenceResult.class)).hasSize(1);
  }

  @Test
  void deadLettersAnUnreadableRequestAndCarriesOn() {
    send("junk", "{not json".getBytes());
    send("r-3", CODEC.write(request("r-3", "a=2;a?", null)));

    assertThat(awaitResult("r-3").status()).isEqualTo(InferenceResult.Status.SUCCEEDED);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              poll(Duration.ofMillis(200));
              assertThat(of(Topics.DLQ, "junk", DeadLetter.class))
                  .singleElement()
                  .satisfies(
                      d -> {
                        assertThat(d.sourceTopic()).isEqualTo(REQUESTS);
                        assertThat(d.payload()).isEqualTo("{not json");
                      });
            });
  }

  @Test
  void expiredAndCancelledRequestsAreAnsweredWithoutComputing() {
    send("r-4", CODEC.write(request("r-4", "a=2;a?", System.currentTimeMillis() - 1000)));
    assertThat(awaitResult("r-4").status()).isEqualTo(InferenceResult.Status.EXPIRED);

    // The cancellation binding has no group and starts at the end: send until it is seen.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              send(
                  "r-5",
                  CODEC.write(new CancelRequest("r-5", "t", System.currentTimeMillis())),
                  Topics.CANCELLATIONS);
              assertThat(cancellations.isCancelled("r-5")).isTrue();
            });
    send("r-5", CODEC.write(request("r-5", "a=2;a?", null)));
    InferenceResult cancelled = awaitResult("r-5");
    assertThat(cancelled.status()).isEqualTo(InferenceResult.Status.CANCELLED);
    assertThat(cancelled.computeNanos()).isZero();
  }

  @Test
  void aRequestAnsweredBeforeThisWorkerStartedIsNotRecomputed() {
    // Another worker answered r-old and died before committing: its result is on the topic.
    InferenceRequest old = request("r-old", "a=2;a?", null);
    InferenceResult earlier =
        new InferenceResult(
            "r-old",
            "tenant",
            "loop-demo",
            InferenceResult.Status.SUCCEEDED,
            "2",
            List.of(6L),
            List.of(8),
            List.of(),
            null,
            old.budget(),
            null,
            1,
            "other-worker",
            null);
    send("r-old", CODEC.write(earlier), Topics.RESULTS);
    await().atMost(Duration.ofSeconds(30)).until(() -> answered.contains("r-old"));

    send("r-old", CODEC.write(old));
    send("r-6", CODEC.write(request("r-6", "a=3;a?", null)));
    awaitResult("r-6");
    poll(Duration.ofSeconds(1));
    assertThat(of(Topics.RESULTS, "r-old", InferenceResult.class))
        .extracting(InferenceResult::workerId)
        .containsExactly("other-worker");
    assertThat(of(Topics.STATUS, "r-old", StatusUpdate.class)).isEmpty();
  }

  @Test
  void exportsRuntimeMetrics() {
    send("r-7", CODEC.write(request("r-7", "b=4;b?", null)));
    awaitResult("r-7");
    assertThat(meters.get("loopserve.tokens").tag("model", "loop-demo").counter().count())
        .isPositive();
    assertThat(meters.get("loopserve.steps.per.token").summary().mean()).isEqualTo(8.0);
    assertThat(meters.get("loopserve.exits").tag("reason", "budget").counter().count())
        .isPositive();
    assertThat(meters.get("loopserve.batch.occupancy").summary().count()).isPositive();
    assertThat(meters.get("loopserve.queue.wait").timer().count()).isPositive();
    assertThat(meters.get("loopserve.step").tag("graph", "core").timer().count()).isPositive();
  }

  @Test
  void publishesHeartbeats() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              poll(Duration.ofMillis(200));
              assertThat(seen.stream().filter(r -> r.topic().equals(Topics.HEARTBEATS)).toList())
                  .isNotEmpty()
                  .allSatisfy(
                      r -> {
                        WorkerHeartbeat hb = CODEC.read(r.value(), WorkerHeartbeat.class);
                        assertThat(hb.model()).isEqualTo("loop-demo");
                        assertThat(hb.maxBatch()).isPositive();
                      });
            });
  }

  private static InferenceRequest request(String id, String prompt, Long deadline) {
    long now = System.currentTimeMillis();
    return new InferenceRequest(
        id,
        "tenant",
        "loop-demo",
        prompt,
        4,
        now,
        now,
        Sampling.GREEDY,
        Budget.fixed(8),
        1,
        100,
        false,
        Priority.STANDARD,
        deadline);
  }

  private void send(String key, byte[] value) {
    send(key, value, REQUESTS);
  }

  private void send(String key, byte[] value, String topic) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private InferenceResult awaitResult(String id) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              poll(Duration.ofMillis(200));
              return !of(Topics.RESULTS, id, InferenceResult.class).isEmpty();
            });
    return of(Topics.RESULTS, id, InferenceResult.class).get(0);
  }

  private void poll(Duration timeout) {
    consumer.poll(timeout).forEach(seen::add);
  }

  private <T> List<T> of(String topic, String key, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (var r : seen) {
      if (r.topic().equals(topic) && key.equals(r.key())) {
        out.add(CODEC.read(r.value(), type));
      }
    }
    return out;
  }
}
