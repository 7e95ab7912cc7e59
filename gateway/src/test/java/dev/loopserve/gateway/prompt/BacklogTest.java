package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.Timings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class BacklogTest {

  private Instant now = Instant.ofEpochMilli(100_000);
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
  private final PromptViews views = new PromptViews();
  private final Backlog backlog = new Backlog(clock, Duration.ofSeconds(10));

  BacklogTest() {
    backlog.follow(views);
  }

  @Test
  void countsAcceptedPromptsUntilTheirResultPerModel() {
    views.apply(prompt("r1", "m"));
    views.apply(prompt("r2", "m"));
    views.apply(prompt("r3", "other"));
    views.apply(new StatusUpdate("r1", StatusUpdate.Status.RUNNING, 6L, null, "w1"));
    assertThat(backlog.queued("m")).isEqualTo(2);

    views.apply(result("r1", "m", now.toEpochMilli()));
    views.apply(result("r1", "m", now.toEpochMilli())); // redelivered: counted once

    assertThat(backlog.queued("m")).isEqualTo(1);
    assertThat(backlog.queued("other")).isEqualTo(1);
    assertThat(backlog.drainPerSecond("m")).isEqualTo(0.1);
  }

  @Test
  void statusUpdatesAloneDoNotFillTheQueue() {
    views.apply(new StatusUpdate("x", StatusUpdate.Status.SCHEDULED, 5L, Budget.fixed(4), null));
    assertThat(backlog.queued("m")).isZero();
  }

  @Test
  void theDrainRateCountsResultsByWhenTheyFinishedWithinTheWindow() {
    for (int i = 0; i < 5; i++) {
      views.apply(prompt("r" + i, "m"));
      views.apply(result("r" + i, "m", now.toEpochMilli() - 1_000));
    }
    views.apply(prompt("old", "m"));
    views.apply(result("old", "m", now.toEpochMilli() - 60_000)); // replayed history
    assertThat(backlog.drainPerSecond("m")).isEqualTo(0.5);

    now = now.plusSeconds(10);
    assertThat(backlog.drainPerSecond("m")).as("the window moved past them").isZero();
  }

  private static PromptSubmitted prompt(String id, String model) {
    return new PromptSubmitted(id, "t", model, "a=1;a?", 2, 1L, null, null, null, null, null);
  }

  private static InferenceResult result(String id, String model, long finishedAt) {
    return new InferenceResult(
        id,
        "t",
        model,
        InferenceResult.Status.SUCCEEDED,
        "1",
        List.of(3L),
        List.of(4),
        List.of(),
        null,
        Budget.fixed(4),
        new Timings(1L, 2L, 3L, finishedAt),
        1L,
        "w1",
        null);
  }
}
