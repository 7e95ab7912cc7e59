package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.DeadLetterSink;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.MessageReader;
import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.TokenEvent;
import dev.loopserve.messages.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps {@link PromptViews} up to date from the prompts, status, tokens and results topics. Every
 * replica reads every partition from the beginning with its own consumer (manual assignment, no
 * group, no commits), so any replica can answer for any request and a restart rebuilds the view.
 *
 * <p>Runs on its own thread; when Kafka is unreachable it retries with a fixed back-off instead of
 * failing the application.
 */
class PromptViewMaterializer implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(PromptViewMaterializer.class);
  static final List<String> TOPICS =
      List.of(Topics.PROMPTS, Topics.STATUS, Topics.TOKENS, Topics.RESULTS, Topics.POLICY);

  private final Supplier<Consumer<String, byte[]>> consumerFactory;
  private final PromptViews views;
  private final MessageReader<PromptSubmitted> prompts;
  private final MessageReader<StatusUpdate> statuses;
  private final MessageReader<InferenceResult> results;
  private final MessageReader<TokenEvent> tokens;
  private final SchedulerPolicies policies;
  private final MessageReader<PolicySnapshot> policySnapshots;
  private final Duration backoff;

  private volatile boolean running;
  private volatile boolean caughtUp;
  private volatile Consumer<String, byte[]> consumer;
  private Thread thread;

  PromptViewMaterializer(
      Supplier<Consumer<String, byte[]>> consumerFactory,
      PromptViews views,
      SchedulerPolicies policies,
      MessageCodec codec,
      DeadLetterSink deadLetters,
      Clock clock,
      Duration backoff) {
    this.consumerFactory = consumerFactory;
    this.views = views;
    this.prompts = new MessageReader<>(codec, PromptSubmitted.class, deadLetters, clock::millis);
    this.statuses = new MessageReader<>(codec, StatusUpdate.class, deadLetters, clock::millis);
    this.results = new MessageReader<>(codec, InferenceResult.class, deadLetters, clock::millis);
    this.tokens = new MessageReader<>(codec, TokenEvent.class, deadLetters, clock::millis);
    this.policies = policies;
    this.policySnapshots =
        new MessageReader<>(codec, PolicySnapshot.class, deadLetters, clock::millis);
    this.backoff = backoff;
  }

  /** True once everything that was in the topics when this replica started has been applied. */
  boolean caughtUp() {
    return caughtUp;
  }

  @Override
  public synchronized void start() {
    running = true;
    thread = new Thread(this::run, "prompt-view-materializer");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public synchronized void stop() {
    running = false;
    Consumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void run() {
    while (running) {
      try (Consumer<String, byte[]> c = consumerFactory.get()) {
        consumer = c;
        Map<TopicPartition, Long> startEnd = assignAll(c);
        while (running) {
          ConsumerRecords<String, byte[]> batch = c.poll(Duration.ofMillis(500));
          apply(c, batch);
          if (!caughtUp
              && startEnd.entrySet().stream()
                  .allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
            caughtUp = true;
            log.info("Prompt views caught up with Kafka: {} requests known", views.size());
          }
        }
      } catch (WakeupException e) {
        // stop() was called
      } catch (Exception e) {
        if (running) {
          log.warn("Reading {} failed ({}); retrying in {}", TOPICS, e.toString(), backoff);
          sleep(backoff);
        }
      } finally {
        consumer = null;
      }
    }
  }

  private Map<TopicPartition, Long> assignAll(Consumer<String, byte[]> c) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : TOPICS) {
      List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist yet");
      }
      infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
    }
    c.assign(partitions);
    c.seekToBeginning(partitions);
    return new HashMap<>(c.endOffsets(partitions, Duration.ofSeconds(10)));
  }

  private void apply(Consumer<String, byte[]> c, ConsumerRecords<String, byte[]> batch) {
    for (TopicPartition tp : batch.partitions()) {
      for (ConsumerRecord<String, byte[]> r : batch.records(tp)) {
        try {
          applyOne(r);
        } catch (RuntimeException e) {
          // Typically the dead letter could not be published: read this record again later.
          c.seek(tp, r.offset());
          throw e;
        }
      }
    }
  }

  private void applyOne(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return; // a tombstone on the compacted results topic: nothing to show
    }
    switch (r.topic()) {
      case Topics.PROMPTS ->
          prompts
              .read(r.topic(), r.partition(), r.offset(), r.key(), r.value())
              .ifPresent(views::apply);
      case Topics.STATUS ->
          statuses
              .read(r.topic(), r.partition(), r.offset(), r.key(), r.value())
              .ifPresent(views::apply);
      case Topics.TOKENS ->
          tokens
              .read(r.topic(), r.partition(), r.offset(), r.key(), r.value())
              .ifPresent(views::apply);
      case Topics.RESULTS ->
          results
              .read(r.topic(), r.partition(), r.offset(), r.key(), r.value())
              .ifPresent(views::apply);
      case Topics.POLICY ->
          policySnapshots
              .read(r.topic(), r.partition(), r.offset(), r.key(), r.value())
              .ifPresent(policies::apply);
      default -> log.debug("Ignoring record from {}", r.topic());
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
