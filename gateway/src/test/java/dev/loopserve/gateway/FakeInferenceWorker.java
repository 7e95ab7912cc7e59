package dev.loopserve.gateway;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.ExitReason;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.Timings;
import dev.loopserve.messages.TokenEvent;
import dev.loopserve.messages.Topics;
import dev.loopserve.messages.WorkerHeartbeat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

/**
 * Plays the scheduler and inference service for HTTP-level tests, on the real topics: every prompt
 * sent to {@code loopserve.prompts} after the worker started is answered with a {@code running}
 * status, one token event per character of {@link #ANSWER} (cut at {@code max_tokens}) and a
 * successful result. It is scaffolding of the other services, not a stand-in for any part of the
 * gateway.
 */
final class FakeInferenceWorker implements AutoCloseable {

  static final String ANSWER = "42";
  static final String WORKER_ID = "fake-worker";

  private final KafkaTemplate<String, byte[]> kafka;
  private final MessageCodec codec = new MessageCodec();
  private final Consumer<String, byte[]> consumer;
  private final List<PromptSubmitted> received = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  FakeInferenceWorker(EmbeddedKafkaBroker broker, KafkaTemplate<String, byte[]> kafka) {
    this.kafka = kafka;
    Map<String, Object> props =
        KafkaTestUtils.consumerProps(broker, "fake-worker-" + System.nanoTime(), false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    this.consumer = new KafkaConsumer<>(props);
    // Only prompts sent from now on: other tests' prompts are theirs to answer.
    List<TopicPartition> partitions =
        consumer.partitionsFor(Topics.PROMPTS).stream()
            .map(i -> new TopicPartition(i.topic(), i.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    this.thread = new Thread(this::run, "fake-inference-worker");
    thread.setDaemon(true);
    thread.start();
  }

  /** The prompt with this request id, once the worker has read it. */
  Optional<PromptSubmitted> received(String requestId) {
    return received.stream().filter(p -> p.requestId().equals(requestId)).findFirst();
  }

  /** Reports the worker alive for {@code model}, as inference workers do every few seconds. */
  void heartbeat(String model) throws Exception {
    kafka
        .send(
            Topics.HEARTBEATS,
            WORKER_ID,
            codec.write(
                new WorkerHeartbeat(
                    WORKER_ID, model, System.currentTimeMillis(), 0.001, 0, 8, 8, 0)))
        .get();
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          PromptSubmitted prompt = codec.read(r.value(), PromptSubmitted.class);
          received.add(prompt);
          answer(prompt);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (Exception e) {
      if (running) {
        throw new IllegalStateException("fake worker failed", e);
      }
    } finally {
      consumer.close();
    }
  }

  private void answer(PromptSubmitted prompt) throws Exception {
    String id = prompt.requestId();
    long now = System.currentTimeMillis();
    int steps = prompt.recurrence().maxSteps() != null ? prompt.recurrence().maxSteps() : 4;
    kafka
        .send(
            Topics.STATUS,
            id,
            codec.write(
                new StatusUpdate(
                    id, StatusUpdate.Status.RUNNING, now, Budget.fixed(steps), WORKER_ID)))
        .get();
    String text = ANSWER.substring(0, Math.min(ANSWER.length(), prompt.maxTokens()));
    List<Long> tokenIds = new ArrayList<>();
    for (int i = 0; i < text.length(); i++) {
      tokenIds.add(10L + i);
      kafka
          .send(
              Topics.TOKENS,
              id,
              codec.write(
                  new TokenEvent(
                      id, i, 10L + i, text.substring(i, i + 1), steps, ExitReason.BUDGET, now)))
          .get();
    }
    kafka
        .send(
            Topics.RESULTS,
            id,
            codec.write(
                new InferenceResult(
                    id,
                    prompt.tenant(),
                    prompt.model(),
                    InferenceResult.Status.SUCCEEDED,
                    text,
                    tokenIds,
                    Collections.nCopies(text.length(), steps),
                    Collections.nCopies(text.length(), ExitReason.BUDGET),
                    text.length() < ANSWER.length() ? FinishReason.LENGTH : FinishReason.EOS,
                    Budget.fixed(steps),
                    new Timings(prompt.submittedAt(), now, now, now),
                    1000L,
                    WORKER_ID,
                    null)))
        .get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    thread.join(Duration.ofSeconds(10).toMillis());
  }
}
