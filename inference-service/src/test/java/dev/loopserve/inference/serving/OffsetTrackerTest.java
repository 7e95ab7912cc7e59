package dev.loopserve.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

  private final TopicPartition p0 = new TopicPartition("t", 0);
  private final TopicPartition p1 = new TopicPartition("t", 1);
  private final OffsetTracker tracker = new OffsetTracker();

  @Test
  void commitsOnlyUpToTheLowestUnfinishedOffset() {
    tracker.started(p0, 10);
    tracker.started(p0, 11);
    tracker.started(p0, 12);
    tracker.done(p0, 11);
    tracker.done(p0, 12);
    assertThat(tracker.committable()).isEqualTo(Map.of(p0, 10L));

    tracker.committed(Map.of(p0, 10L));
    assertThat(tracker.committable()).as("nothing moved").isEmpty();

    tracker.done(p0, 10);
    assertThat(tracker.committable()).isEqualTo(Map.of(p0, 13L));
    assertThat(tracker.inFlight()).isZero();
  }

  @Test
  void partitionsAreIndependentAndForgettable() {
    tracker.started(p0, 5);
    tracker.started(p1, 7);
    tracker.done(p1, 7);
    assertThat(tracker.committable()).isEqualTo(Map.of(p0, 5L, p1, 8L));
    assertThat(tracker.inFlight(p0)).isEqualTo(1);

    tracker.forget(p0);
    assertThat(tracker.committable()).isEqualTo(Map.of(p1, 8L));
    tracker.done(p0, 5); // a late completion of a revoked partition is harmless
    assertThat(tracker.committable()).isEqualTo(Map.of(p1, 8L));
  }
}
