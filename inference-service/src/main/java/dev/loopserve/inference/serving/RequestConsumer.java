package dev.loopserve.inference.serving;

import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.runtime.GeneratedToken;
import dev.loopserve.inference.runtime.GenerationRequest;
import dev.loopserve.inference.runtime.InferenceEngine;
import dev.loopserve.inference.runtime.Ticket;
import dev.loopserve.inference.runtime.TokenListener;
import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.MessageReader;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.TokenEvent;
import dev.loopserve.messages.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one model's request topic into its engine and publishes the outcomes.
 *
 * <p>This is a plain Kafka consumer rather than a Spring Cloud Stream binding because batching
 * needs what a per-record listener hides: many records of one partition in flight at once,
 * finishing out of order; offsets committed by hand only once each result is on Kafka (the lowest
 * unfinished offset per partition, see {@link OffsetTracker}); fetching paused while the engine is
 * full; and running requests handed back, not duplicated, when a partition is revoked.
 *
 * <p>Idempotent by request id: a record whose id already has a result is acknowledged without
 * computing anything. Runs on its own thread; {@link #stop()} makes it stop fetching, finish or
 * hand back what is in flight, commit and close.
 */
final class RequestConsumer implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RequestConsumer.class);

  private final LoadedModel model;
  private final InferenceEngine engine;
  private final Consumer<String, byte[]> consumer;
  private final KafkaPublisher publisher;
  private final MessageReader<InferenceRequest> reader;
  private final AnsweredRequests answered;
  private final Cancellations cancellations;
  private final ResultFactory results;
  private final ResultsTail resultsTail;
  private final ScheduledExecutorService retries;
  private final Clock clock;
  private final String workerId;
  private final int maxQueued;
  private final Duration handoffTimeout;
  private final String topic;

  private final OffsetTracker tracker = new OffsetTracker();
  private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
  private final Map<TopicPartition, Map<Long, Ticket>> running = new HashMap<>();
  private final Set<String> inFlightIds = new HashSet<>();
  private volatile boolean stopping;
  private boolean paused;

  private record Finished(TopicPartition partition, long offset, String requestId) {}

  RequestConsumer(
      LoadedModel model,
      InferenceEngine engine,
      Consumer<String, byte[]> consumer,
      KafkaPublisher publisher,
      MessageReader<InferenceRequest> reader,
      AnsweredRequests answered,
      Cancellations cancellations,
      ResultFactory results,
      ResultsTail resultsTail,
      ScheduledExecutorService retries,
      Clock clock,
      String workerId,
      int maxQueued,
      Duration handoffTimeout) {
    this.model = model;
    this.engine = engine;
    this.consumer = consumer;
    this.publisher = publisher;
    this.reader = reader;
    this.answered = answered;
    this.cancellations = cancellations;
    this.results = results;
    this.resultsTail = resultsTail;
    this.retries = retries;
    this.clock = clock;
    this.workerId = workerId;
    this.maxQueued = maxQueued;
    this.handoffTimeout = handoffTimeout;
    this.topic = Topics.requestsTopic(model.name());
  }

  @Override
  public void run() {
    try {
      while (!stopping && !resultsTail.awaitCaughtUp(Duration.ofSeconds(10))) {
        log.info("Waiting to read {} before consuming {}", Topics.RESULTS, topic);
      }
      consumer.subscribe(List.of(topic), new Handoff());
      log.info("Consuming {} as group {}", topic, Topics.inferenceGroup(model.name()));
      while (!stopping) {
        try {
          settle();
          flowControl();
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
            if (!handle(record)) {
              break; // rewound: the rest of this batch is fetched again
            }
          }
        } catch (WakeupException e) {
          // stop() woke us up
        } catch (KafkaException e) {
          log.warn("Consumer of {} failed, retrying in 1s: {}", topic, e.toString());
          sleep(1000);
        }
      }
      drain();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("Closing the consumer of {} failed: {}", topic, e.toString());
      }
    }
  }

  void stop() {
    stopping = true;
    consumer.wakeup();
  }

  /** Requests fetched and not yet answered. */
  int inFlight() {
    return inFlightIds.size();
  }

  /**
   * @return false when the record was rewound because it could not be dead-lettered
   */
  private boolean handle(ConsumerRecord<String, byte[]> record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    Optional<InferenceRequest> parsed;
    try {
      parsed =
          reader.read(
              record.topic(), record.partition(), record.offset(), record.key(), record.value());
    } catch (RuntimeException e) {
      log.warn(
          "Could not dead-letter {}@{}, fetching it again: {}",
          partition,
          record.offset(),
          e.toString());
      consumer.seek(partition, record.offset());
      sleep(500);
      return false;
    }
    tracker.started(partition, record.offset());
    if (parsed.isEmpty()) {
      tracker.done(partition, record.offset());
      return true;
    }
    InferenceRequest request = parsed.get();
    String id = request.requestId();
    if (answered.contains(id) || inFlightIds.contains(id)) {
      log.info("Request {} is already answered or running here; acknowledging the redelivery", id);
      tracker.done(partition, record.offset());
      return true;
    }
    long now = clock.millis();
    inFlightIds.add(id);
    if (!model.name().equals(request.model())) {
      answer(
          partition,
          record.offset(),
          results.withoutCompute(
              request,
              InferenceResult.Status.FAILED,
              "request for model '" + request.model() + "' arrived on " + topic,
              now));
    } else if (request.deadline() != null && now > request.deadline()) {
      answer(
          partition,
          record.offset(),
          results.withoutCompute(request, InferenceResult.Status.EXPIRED, null, now));
    } else if (cancellations.isCancelled(id)) {
      answer(
          partition,
          record.offset(),
          results.withoutCompute(request, InferenceResult.Status.CANCELLED, null, now));
    } else {
      start(partition, record.offset(), request);
    }
    return true;
  }

  private void start(TopicPartition partition, long offset, InferenceRequest request) {
    String id = request.requestId();
    GenerationRequest generation;
    try {
      generation = RequestTranslator.translate(request, model);
    } catch (IllegalArgumentException e) {
      answer(
          partition,
          offset,
          results.withoutCompute(
              request, InferenceResult.Status.FAILED, e.getMessage(), clock.millis()));
      return;
    }
    publisher.sendQuietly(
        Topics.STATUS,
        id,
        new StatusUpdate(
            id, StatusUpdate.Status.RUNNING, clock.millis(), request.budget(), workerId));
    Ticket ticket = engine.submit(generation, tokenEvents(id));
    running.computeIfAbsent(partition, p -> new HashMap<>()).put(offset, ticket);
    cancellations.register(id, ticket);
    ticket
        .result()
        .thenAccept(
            result -> {
              cancellations.unregister(id);
              if (ticket.abandoned()) {
                return;
              }
              long startedAt = ticket.startedEpochMillis();
              answer(
                  partition,
                  offset,
                  results.fromGeneration(
                      request, result, startedAt == 0 ? null : startedAt, clock.millis()));
            });
  }

  private TokenListener tokenEvents(String requestId) {
    int eos = model.manifest().specialTokens().eos();
    return (GeneratedToken token) -> {
      if (token.tokenId() == eos) {
        return;
      }
      publisher.sendQuietly(
          Topics.TOKENS,
          requestId,
          new TokenEvent(
              requestId,
              token.index(),
              token.tokenId(),
              token.text(),
              token.steps(),
              ResultFactory.exitReason(token.exitReason()),
              clock.millis()));
    };
  }

  /** Publishes a result; the offset becomes committable once the broker has it. */
  private void answer(TopicPartition partition, long offset, InferenceResult result) {
    publisher
        .send(Topics.RESULTS, result.requestId(), result)
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                answered.add(result.requestId());
                finished.add(new Finished(partition, offset, result.requestId()));
              } else if (retries.isShutdown()) {
                log.error(
                    "Result of {} not published ({}); the request will be redelivered",
                    result.requestId(),
                    error.toString());
              } else {
                log.warn(
                    "Publishing result of {} failed, retrying: {}",
                    result.requestId(),
                    error.toString());
                retries.schedule(() -> answer(partition, offset, result), 1, TimeUnit.SECONDS);
              }
            });
  }

  /** Applies finished requests and commits what became committable. Consumer thread only. */
  private void settle() {
    for (Finished f; (f = finished.poll()) != null; ) {
      tracker.done(f.partition, f.offset);
      inFlightIds.remove(f.requestId);
      Map<Long, Ticket> tickets = running.get(f.partition);
      if (tickets != null) {
        tickets.remove(f.offset);
      }
    }
    commit(tracker.committable());
  }

  private void commit(Map<TopicPartition, Long> positions) {
    if (positions.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    positions.forEach((p, o) -> offsets.put(p, new OffsetAndMetadata(o)));
    consumer.commitSync(offsets);
    tracker.committed(positions);
  }

  private void flowControl() {
    boolean full = tracker.inFlight() >= maxQueued;
    if (full && !paused) {
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (!full && paused) {
      consumer.resume(consumer.paused());
      paused = false;
    }
    if (paused) {
      consumer.pause(consumer.assignment()); // partitions assigned since are paused too
    }
  }

  /** Shutdown: no new records, let in-flight requests finish for a while, hand back the rest. */
  private void drain() {
    consumer.pause(consumer.assignment());
    long deadline = System.nanoTime() + handoffTimeout.toNanos();
    while (tracker.inFlight() > 0 && System.nanoTime() < deadline) {
      try {
        settle();
        consumer.poll(
            Duration.ofMillis(50)); // keeps the group membership alive; nothing is fetched
      } catch (WakeupException e) {
        // stop() may wake us more than once
      } catch (KafkaException e) {
        log.warn("Draining {} failed: {}", topic, e.toString());
        break;
      }
    }
    handBack(Set.copyOf(running.keySet()));
    try {
      settle();
    } catch (KafkaException e) {
      log.warn(
          "Final commit on {} failed; the last requests will be redelivered: {}",
          topic,
          e.toString());
    }
  }

  /** Abandons running requests of {@code partitions}: their records will be fetched again. */
  private void handBack(Collection<TopicPartition> partitions) {
    int count = 0;
    for (TopicPartition partition : partitions) {
      Map<Long, Ticket> tickets = running.remove(partition);
      if (tickets == null) {
        continue;
      }
      for (Ticket ticket : tickets.values()) {
        if (!ticket.result().isDone()) {
          ticket.abandon();
          inFlightIds.remove(ticket.request().id());
          cancellations.unregister(ticket.request().id());
          count++;
        }
      }
    }
    if (count > 0) {
      log.info("Handed back {} unfinished requests of {}", count, partitions);
    }
  }

  private final class Handoff implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      long deadline = System.nanoTime() + handoffTimeout.toNanos();
      while (partitions.stream().anyMatch(p -> tracker.inFlight(p) > 0)
          && System.nanoTime() < deadline) {
        settle();
        sleep(20);
      }
      settle();
      handBack(partitions);
      partitions.forEach(tracker::forget);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      handBack(partitions);
      partitions.forEach(tracker::forget);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      log.info("Assigned {}", partitions);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
