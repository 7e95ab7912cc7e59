package dev.loopserve.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopserve.messages.WorkerHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveWorkersTest {

  private final AtomicLong now = new AtomicLong(100_000);
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.ofEpochMilli(now.get());
        }
      };
  private final LiveWorkers live = new LiveWorkers(clock, Duration.ofSeconds(10));

  @Test
  void aModelIsLiveWhileOneOfItsWorkersHeartbeatsWithinTheTimeout() {
    live.heard(beat("w1", "m", now.get(), 8, 3));
    live.heard(beat("w2", "m", now.get() - 2_000, 4, 4));
    live.heard(beat("w3", "other", now.get(), 2, 0));

    assertThat(live.models()).containsOnlyKeys("m", "other");
    assertThat(live.models().get("m"))
        .isEqualTo(new LiveWorkers.Model(2, 12, 7, 0, now.get() - 2_000));

    now.addAndGet(9_000);
    assertThat(live.models().get("m").workers()).as("w2 fell silent").isOne();
    now.addAndGet(2_000);
    assertThat(live.models()).isEmpty();
  }

  @Test
  void sinceIsTheFirstHeartbeatOfTheCurrentRunAndRestartsAfterSilence() {
    long first = now.get();
    live.heard(beat("w1", "m", first, 8, 8));
    now.addAndGet(3_000);
    live.heard(beat("w1", "m", now.get(), 8, 8));
    assertThat(live.models().get("m").since()).isEqualTo(first);

    now.addAndGet(30_000);
    live.heard(beat("w1", "m", now.get(), 8, 8));
    assertThat(live.models().get("m").since()).isEqualTo(now.get());
  }

  @Test
  void aClockAheadCannotKeepADeadWorkerAliveAndOldHeartbeatsAreNotFresh() {
    live.heard(beat("ahead", "m", now.get() + 60_000, 8, 8));
    now.addAndGet(11_000);
    assertThat(live.models()).isEmpty();

    live.heard(beat("backlog", "m", now.get() - 11_000, 8, 8));
    assertThat(live.models()).isEmpty();
  }

  @Test
  void anOlderHeartbeatDoesNotReplaceANewerOne() {
    live.heard(beat("w1", "m", now.get(), 8, 1));
    live.heard(beat("w1", "m", now.get() - 1_000, 8, 8));

    assertThat(live.models().get("m").freeSlots()).isOne();
  }

  @Test
  void theTimeoutMustBePositive() {
    assertThatThrownBy(() -> new LiveWorkers(clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static WorkerHeartbeat beat(
      String worker, String model, long at, int maxBatch, int freeSlots) {
    return new WorkerHeartbeat(
        worker, model, at, 0.01, maxBatch - freeSlots, maxBatch, freeSlots, 0);
  }
}
