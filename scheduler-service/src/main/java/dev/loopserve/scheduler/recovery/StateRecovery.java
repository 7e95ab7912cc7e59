package dev.loopserve.scheduler.recovery;

import dev.loopserve.messages.InferenceRequest;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.messages.Topics;
import dev.loopserve.policy.PriorityClass;
import dev.loopserve.scheduler.budget.AdaptiveBudgetPolicy;
import dev.loopserve.scheduler.budget.PolicyOverride;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the scheduler's state from Kafka after a restart, before it decides anything.
 *
 * <ul>
 *   <li><b>Overrides and versions:</b> the compacted {@code loopserve.policy} topic holds the last
 *       snapshot per model, with the override in its details; reading it from the start restores
 *       each model's override and version, so versions keep increasing across restarts.
 *   <li><b>Outstanding work:</b> the requests no inference worker has consumed yet are exactly the
 *       records of {@code loopserve.requests.<model>} past the inference group's committed offset.
 *       Reading that tail restores them with their real budgets and priorities (rather than
 *       guessing from the lag count at a mean cost). Requests that a worker already holds are not
 *       restored: their number is bounded by the workers' batch slots, which heartbeats report, and
 *       the ones with results in flight would otherwise linger until the outstanding TTL.
 * </ul>
 *
 * <p>Prompts that arrived while the scheduler was down wait on {@code loopserve.prompts} under the
 * scheduler group's committed offset (committed only after each request was produced), so they need
 * no recovery: the binding resumes from there.
 *
 * <p>Plain Kafka clients on purpose: this is a bounded read of whole topics from given offsets
 * before the bindings start, which no binding (a group consumer from its committed position) does.
 */
public final class StateRecovery {

  private static final Logger log = LoggerFactory.getLogger(StateRecovery.class);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** What one run restored. */
  public record Outcome(int policies, int outstanding) {}

  private final Admin admin;
  private final Consumer<String, byte[]> consumer;
  private final MessageCodec codec;
  private final AdaptiveBudgetPolicy policy;
  private final Clock clock;
  private final Duration timeout;

  /**
   * @param consumer a consumer without a group (it is only assigned partitions); closed by the
   *     caller
   * @param timeout how long the whole run may take
   */
  public StateRecovery(
      Admin admin,
      Consumer<String, byte[]> consumer,
      MessageCodec codec,
      AdaptiveBudgetPolicy policy,
      Clock clock,
      Duration timeout) {
    this.admin = admin;
    this.consumer = consumer;
    this.codec = codec;
    this.policy = policy;
    this.clock = clock;
    this.timeout = timeout;
  }

  /**
   * Runs both recoveries.
   *
   * @throws RuntimeException when the cluster does not answer within the timeout
   */
  public Outcome run() throws Exception {
    Instant deadline = clock.instant().plus(timeout);
    // Fail fast without a cluster: start-up waits for this attempt, and the binder's own
    // provisioning timeouts already delay a start without Kafka (liveness has to see it in time).
    admin
        .describeCluster()
        .nodes()
        .get(Math.min(CONNECT_TIMEOUT.toMillis(), timeout.toMillis()), TimeUnit.MILLISECONDS);
    int policies = recoverPolicies(deadline);
    int outstanding = 0;
    for (String model : policy.policies().manifests().names()) {
      outstanding += recoverOutstanding(model, deadline);
    }
    log.info(
        "Recovered {} model policies and {} outstanding requests from Kafka",
        policies,
        outstanding);
    return new Outcome(policies, outstanding);
  }

  int recoverPolicies(Instant deadline) {
    Map<String, PolicySnapshot> latest = new HashMap<>();
    readFrom(
        Topics.POLICY,
        Map.of(),
        deadline,
        r -> {
          if (r.value() == null || r.value().length == 0) {
            latest.remove(r.key());
            return;
          }
          try {
            PolicySnapshot s = codec.read(r.value(), PolicySnapshot.class);
            latest.put(s.model(), s);
          } catch (RuntimeException e) {
            log.warn(
                "Skipping unreadable policy snapshot at offset {}: {}", r.offset(), e.getMessage());
          }
        });
    int applied = 0;
    for (PolicySnapshot s : latest.values()) {
      try {
        if (policy
            .policies()
            .restore(s.model(), s.version(), PolicyOverride.fromMap(s.details().get("override")))) {
          applied++;
        }
      } catch (IllegalArgumentException e) {
        log.warn("Ignoring the stored override of {}: {}", s.model(), e.getMessage());
      }
    }
    return applied;
  }

  int recoverOutstanding(String model, Instant deadline) throws Exception {
    String topic = Topics.requestsTopic(model);
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(Topics.inferenceGroup(model))
            .partitionsToOffsetAndMetadata()
            .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
    Map<TopicPartition, Long> from = new HashMap<>();
    committed.forEach(
        (tp, o) -> {
          if (tp.topic().equals(topic) && o != null) {
            from.put(tp, o.offset());
          }
        });
    int[] count = {0};
    readFrom(
        topic,
        from,
        deadline,
        r -> {
          try {
            InferenceRequest q = codec.read(r.value(), InferenceRequest.class);
            policy.recovered(
                q.requestId(),
                model,
                PriorityClass.fromWire(q.priority().name()),
                q.budget().maxSteps(),
                q.maxTokens());
            count[0]++;
          } catch (RuntimeException e) {
            log.debug(
                "Skipping unreadable request at {}-{}: {}", topic, r.offset(), e.getMessage());
          }
        });
    return count[0];
  }

  /**
   * Reads every partition of the topic from the given offsets (else the start) to the end offsets
   * found now.
   */
  private void readFrom(
      String topic,
      Map<TopicPartition, Long> from,
      Instant deadline,
      java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, remaining(deadline));
    if (infos == null || infos.isEmpty()) {
      return;
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
    Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions, remaining(deadline));
    for (TopicPartition tp : partitions) {
      consumer.seek(tp, Math.max(start.get(tp), from.getOrDefault(tp, 0L)));
    }
    while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
      if (clock.instant().isAfter(deadline)) {
        throw new IllegalStateException("recovery of " + topic + " ran past its timeout");
      }
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
          sink.accept(r);
        }
      }
    }
    consumer.unsubscribe();
  }

  private Duration remaining(Instant deadline) {
    Duration d = Duration.between(clock.instant(), deadline);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalStateException("recovery ran past its timeout");
    }
    return d;
  }

  private long remainingMillis(Instant deadline) {
    return remaining(deadline).toMillis();
  }
}
