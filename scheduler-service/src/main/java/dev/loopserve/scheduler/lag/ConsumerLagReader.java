package dev.loopserve.scheduler.lag;

import dev.loopserve.messages.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads how many requests wait on a model's topic that its inference consumer group has not
 * consumed yet: per partition, the end offset minus the group's committed offset (minus the start
 * offset when the group has committed nothing there).
 *
 * <p>This uses the plain Kafka {@link Admin} client on purpose: the group belongs to
 * inference-service, not to a binding of ours, so neither Spring Cloud Stream nor Spring Kafka has
 * an abstraction for it; the admin API is the only way to read another group's committed offsets.
 */
public final class ConsumerLagReader {

  private final Admin admin;
  private final Duration timeout;

  public ConsumerLagReader(Admin admin, Duration timeout) {
    this.admin = admin;
    this.timeout = timeout;
  }

  /**
   * Requests waiting for the model's inference group; 0 when the topic does not exist yet.
   *
   * @throws LagUnavailableException when the cluster does not answer in time
   */
  public long lag(String model) {
    String topic = Topics.requestsTopic(model);
    try {
      var description =
          admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(millis(), MS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      description
          .get(topic)
          .partitions()
          .forEach(
              p -> {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                latest.put(tp, OffsetSpec.latest());
                earliest.put(tp, OffsetSpec.earliest());
              });
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(Topics.inferenceGroup(model))
              .partitionsToOffsetAndMetadata()
              .get(millis(), MS);
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get(millis(), MS);
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
          admin.listOffsets(earliest).all().get(millis(), MS);
      long lag = 0;
      for (TopicPartition tp : latest.keySet()) {
        OffsetAndMetadata c = committed.get(tp);
        long from = c != null ? c.offset() : starts.get(tp).offset();
        lag += Math.max(0, ends.get(tp).offset() - from);
      }
      return lag;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
        return 0;
      }
      throw new LagUnavailableException(topic, e.getCause());
    } catch (TimeoutException e) {
      throw new LagUnavailableException(topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LagUnavailableException(topic, e);
    }
  }

  private static final TimeUnit MS = TimeUnit.MILLISECONDS;

  private long millis() {
    return timeout.toMillis();
  }

  /** The cluster did not tell us the lag. */
  public static final class LagUnavailableException extends RuntimeException {
    LagUnavailableException(String topic, Throwable cause) {
      super("cannot read the consumer lag of " + topic + ": " + cause, cause);
    }
  }
}
