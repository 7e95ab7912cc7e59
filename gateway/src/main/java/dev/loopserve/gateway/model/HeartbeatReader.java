package dev.loopserve.gateway.model;

import dev.loopserve.messages.DeadLetterSink;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.MessageReader;
import dev.loopserve.messages.Topics;
import dev.loopserve.messages.WorkerHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Feeds {@link LiveWorkers} from {@code loopserve.heartbeats}. Like the prompt views, every replica
 * reads every partition itself (manual assignment, no group, no commits); it starts one liveness
 * window back instead of at the beginning, since older heartbeats could only say a worker is dead.
 *
 * <p>Runs on its own thread; when Kafka is unreachable it retries with a fixed back-off, and the
 * model list is empty meanwhile.
 */
final class HeartbeatReader implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(HeartbeatReader.class);

  private final Supplier<Consumer<String, byte[]>> consumerFactory;
  private final LiveWorkers workers;
  private final MessageReader<WorkerHeartbeat> heartbeats;
  private final Clock clock;
  private final Duration lookBack;
  private final Duration backoff;

  private volatile boolean running;
  private volatile Consumer<String, byte[]> consumer;
  private Thread thread;

  /**
   * @param lookBack how far back to start reading: the liveness timeout
   */
  HeartbeatReader(
      Supplier<Consumer<String, byte[]>> consumerFactory,
      LiveWorkers workers,
      MessageCodec codec,
      DeadLetterSink deadLetters,
      Clock clock,
      Duration lookBack,
      Duration backoff) {
    this.consumerFactory = consumerFactory;
    this.workers = workers;
    this.heartbeats = new MessageReader<>(codec, WorkerHeartbeat.class, deadLetters, clock::millis);
    this.clock = clock;
    this.lookBack = lookBack;
    this.backoff = backoff;
  }

  @Override
  public synchronized void start() {
    running = true;
    thread = new Thread(this::run, "heartbeat-reader");
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
        assign(c);
        while (running) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
            if (r.value() != null) {
              heartbeats
                  .read(r.topic(), r.partition(), r.offset(), r.key(), r.value())
                  .ifPresent(workers::heard);
            }
          }
        }
      } catch (WakeupException e) {
        // stop() was called
      } catch (Exception e) {
        if (running) {
          log.warn("Reading {} failed ({}); retrying in {}", Topics.HEARTBEATS, e, backoff);
          sleep(backoff);
        }
      } finally {
        consumer = null;
      }
    }
  }

  private void assign(Consumer<String, byte[]> c) {
    List<PartitionInfo> infos = c.partitionsFor(Topics.HEARTBEATS, Duration.ofSeconds(10));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + Topics.HEARTBEATS + " does not exist yet");
    }
    List<TopicPartition> partitions =
        infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    c.assign(partitions);
    long from = clock.millis() - lookBack.toMillis();
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(p -> query.put(p, from));
    Map<TopicPartition, OffsetAndTimestamp> offsets =
        c.offsetsForTimes(query, Duration.ofSeconds(10));
    for (TopicPartition p : partitions) {
      OffsetAndTimestamp o = offsets.get(p);
      if (o == null) {
        c.seekToEnd(List.of(p)); // nothing that recent: only new heartbeats matter
      } else {
        c.seek(p, o.offset());
      }
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
