package dev.loopserve.inference.serving;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each partition may be committed. Records finish out of order (a short request
 * overtakes a long one in the batch), but a Kafka commit covers everything before it, so the
 * committable position is the lowest offset still in flight. Used from the consumer thread only.
 */
final class OffsetTracker {

  private final Map<TopicPartition, TreeSet<Long>> inFlight = new HashMap<>();
  private final Map<TopicPartition, Long> next = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  /** A record was fetched and is now the worker's responsibility. */
  void started(TopicPartition partition, long offset) {
    inFlight.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
    next.merge(partition, offset + 1, Math::max);
  }

  /** The record's outcome is safely on Kafka (or it needed none). */
  void done(TopicPartition partition, long offset) {
    TreeSet<Long> offsets = inFlight.get(partition);
    if (offsets != null) {
      offsets.remove(offset);
    }
  }

  /**
   * Positions to commit now: per partition, the lowest in-flight offset, or one past the highest
   * fetched offset when nothing is in flight; only partitions whose position moved.
   */
  Map<TopicPartition, Long> committable() {
    Map<TopicPartition, Long> out = new HashMap<>();
    for (var entry : next.entrySet()) {
      TopicPartition partition = entry.getKey();
      TreeSet<Long> offsets = inFlight.get(partition);
      long position = offsets == null || offsets.isEmpty() ? entry.getValue() : offsets.first();
      if (!Long.valueOf(position).equals(committed.get(partition))) {
        out.put(partition, position);
      }
    }
    return out;
  }

  /** The positions in {@code positions} are now committed. */
  void committed(Map<TopicPartition, Long> positions) {
    committed.putAll(positions);
  }

  int inFlight() {
    return inFlight.values().stream().mapToInt(TreeSet::size).sum();
  }

  int inFlight(TopicPartition partition) {
    TreeSet<Long> offsets = inFlight.get(partition);
    return offsets == null ? 0 : offsets.size();
  }

  /** Forgets a partition that this worker no longer owns. */
  void forget(TopicPartition partition) {
    inFlight.remove(partition);
    next.remove(partition);
    committed.remove(partition);
  }
}
