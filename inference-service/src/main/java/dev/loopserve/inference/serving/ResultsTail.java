package dev.loopserve.inference.serving;

import dev.loopserve.messages.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code loopserve.results} from the beginning and keeps following it, filling {@link
 * AnsweredRequests} with the id (the record key) of every result any worker published. Request
 * consumers wait for {@link #awaitCaughtUp} so that a redelivery after a crash is recognised. Uses
 * assign(), not a group: every worker must see every partition.
 */
final class ResultsTail implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ResultsTail.class);

  private final Consumer<String, byte[]> consumer;
  private final AnsweredRequests answered;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private volatile boolean running = true;

  ResultsTail(Consumer<String, byte[]> consumer, AnsweredRequests answered) {
    this.consumer = consumer;
    this.answered = answered;
  }

  @Override
  public void run() {
    Map<TopicPartition, Long> end = null;
    try {
      while (running) {
        try {
          if (consumer.assignment().isEmpty()) {
            List<PartitionInfo> partitions =
                consumer.partitionsFor(Topics.RESULTS, Duration.ofSeconds(5));
            if (partitions == null || partitions.isEmpty()) {
              caughtUp.countDown(); // no results topic yet: nothing was ever answered
              sleep(5000);
              continue;
            }
            var assigned =
                partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            end = consumer.endOffsets(assigned);
          }
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
            if (record.key() != null && record.value() != null) {
              answered.add(record.key());
            }
          }
          if (caughtUp.getCount() > 0 && reached(end)) {
            log.info("Read {} answered request ids from {}", answered.size(), Topics.RESULTS);
            caughtUp.countDown();
          }
        } catch (WakeupException e) {
          // close() woke us up
        } catch (KafkaException e) {
          log.debug("Reading {} failed, retrying: {}", Topics.RESULTS, e.toString());
          sleep(1000);
        }
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    if (end == null) {
      return false;
    }
    for (var entry : end.entrySet()) {
      if (consumer.position(entry.getKey()) < entry.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Waits until the topic was read to the end offsets seen at start; false on timeout. */
  boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  void stop() {
    running = false;
    consumer.wakeup();
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
