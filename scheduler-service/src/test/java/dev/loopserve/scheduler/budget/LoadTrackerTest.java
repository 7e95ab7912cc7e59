package dev.loopserve.scheduler.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.WorkerHeartbeat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoadTrackerTest {

  private Instant now = Instant.ofEpochSecond(1_000);
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };
  private final LoadTracker tracker =
      new LoadTracker(clock, Duration.ofMinutes(1), Duration.ofSeconds(10));

  @Test
  void countsAssignedUntilAnsweredOncePerRequest() {
    tracker.assigned("a", "m");
    tracker.assigned("a", "m");
    tracker.assigned("b", "m");
    tracker.assigned("c", "other");
    assertThat(tracker.load("m").outstanding()).isEqualTo(2);

    tracker.finished(result("a"));
    tracker.finished(result("a"));
    assertThat(tracker.load("m").outstanding()).isEqualTo(1);
  }

  @Test
  void forgetsAssignmentsAndWorkersThatWentQuiet() {
    tracker.assigned("a", "m");
    tracker.heartbeat(new WorkerHeartbeat("w1", "m", now.toEpochMilli(), 0.002, 1, 8, 7, 0));
    tracker.heartbeat(new WorkerHeartbeat("w2", "m", now.toEpochMilli(), 0.004, 1, 8, 7, 0));
    assertThat(tracker.load("m")).isEqualTo(new Load(1, 2, 0.003));

    now = now.plusSeconds(61);
    assertThat(tracker.load("m")).isEqualTo(new Load(0, 0, 0.0));
  }

  private static InferenceResult result(String id) {
    return new InferenceResult(
        id,
        null,
        "m",
        InferenceResult.Status.SUCCEEDED,
        "",
        null,
        null,
        null,
        null,
        null,
        null,
        0L,
        null,
        null);
  }
}
