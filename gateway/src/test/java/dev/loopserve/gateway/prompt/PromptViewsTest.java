package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.TokenEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptViewsTest {

  private final PromptViews views = new PromptViews();

  @Test
  void followsTheLifecycleInOrder() {
    views.apply(prompt());
    assertThat(views.find("r1").orElseThrow().status()).isEqualTo(PromptStatus.QUEUED);

    views.apply(new StatusUpdate("r1", StatusUpdate.Status.SCHEDULED, 5L, Budget.fixed(4), null));
    assertThat(views.find("r1").orElseThrow().status()).isEqualTo(PromptStatus.SCHEDULED);
    assertThat(views.find("r1").orElseThrow().budget()).isEqualTo(Budget.fixed(4));

    views.apply(new StatusUpdate("r1", StatusUpdate.Status.RUNNING, 6L, null, "w1"));
    views.apply(result(InferenceResult.Status.SUCCEEDED));

    PromptView done = views.find("r1").orElseThrow();
    assertThat(done.status()).isEqualTo(PromptStatus.SUCCEEDED);
    assertThat(done.result().text()).isEqualTo("7");
    assertThat(done.workerId()).isEqualTo("w1");
    assertThat(done.submittedAt()).isEqualTo(1L);
  }

  @Test
  void aResultIsFinalWhateverArrivesAfterIt() {
    views.apply(result(InferenceResult.Status.FAILED));
    views.apply(new StatusUpdate("r1", StatusUpdate.Status.RUNNING, 6L, null, "w2"));
    views.apply(prompt());

    PromptView view = views.find("r1").orElseThrow();
    assertThat(view.status()).isEqualTo(PromptStatus.FAILED);
    assertThat(view.submittedAt()).as("late prompt still fills in what it knows").isEqualTo(1L);
  }

  @Test
  void anEarlierStageNeverOverwritesALaterOne() {
    views.apply(new StatusUpdate("r1", StatusUpdate.Status.RUNNING, 6L, null, "w1"));
    views.apply(new StatusUpdate("r1", StatusUpdate.Status.SCHEDULED, 5L, Budget.fixed(2), null));

    assertThat(views.find("r1").orElseThrow().status()).isEqualTo(PromptStatus.RUNNING);
  }

  @Test
  void applyingTheSameMessageTwiceChangesNothing() {
    views.apply(prompt());
    views.apply(result(InferenceResult.Status.SUCCEEDED));
    PromptView once = views.find("r1").orElseThrow();

    views.apply(prompt());
    views.apply(result(InferenceResult.Status.SUCCEEDED));

    assertThat(views.find("r1").orElseThrow()).isEqualTo(once);
    assertThat(views.size()).isEqualTo(1);
  }

  @Test
  void forgetsTheOldestFinishedPromptsBeyondTheCountButNeverOneInFlight() {
    MutableClock clock = new MutableClock();
    PromptViews bounded = new PromptViews(clock, 2, Duration.ofHours(1));
    for (String id : List.of("a", "b", "c", "live")) {
      bounded.apply(prompt(id));
    }
    bounded.apply(new TokenEvent("a", 0, 1L, "x", 1, null, 1L));
    bounded.apply(result("a", InferenceResult.Status.SUCCEEDED));
    bounded.apply(result("b", InferenceResult.Status.FAILED));
    // Redelivered: still one finished prompt, not two.
    bounded.apply(result("b", InferenceResult.Status.FAILED));
    assertThat(bounded.find("a")).isPresent();

    bounded.apply(result("c", InferenceResult.Status.SUCCEEDED));

    assertThat(bounded.find("a")).as("oldest finished").isEmpty();
    assertThat(bounded.tokens("a")).isEmpty();
    assertThat(bounded.find("b")).isPresent();
    assertThat(bounded.find("c")).isPresent();
    assertThat(bounded.find("live")).isPresent();
    assertThat(bounded.size()).isEqualTo(3);
  }

  @Test
  void forgetsFinishedPromptsOlderThanTheAge() {
    MutableClock clock = new MutableClock();
    PromptViews bounded = new PromptViews(clock, 100, Duration.ofSeconds(10));
    bounded.apply(result("old", InferenceResult.Status.SUCCEEDED));
    clock.advance(Duration.ofSeconds(10));
    bounded.apply(result("new", InferenceResult.Status.SUCCEEDED));
    assertThat(bounded.find("old")).as("exactly the age is still kept").isPresent();

    clock.advance(Duration.ofMillis(1));
    bounded.apply(result("newer", InferenceResult.Status.SUCCEEDED));

    assertThat(bounded.find("old")).isEmpty();
    assertThat(bounded.find("new")).isPresent();
    assertThat(bounded.find("newer")).isPresent();
  }

  @Test
  void rejectsRetentionThatKeepsNothing() {
    assertThatThrownBy(() -> new PromptViews(Clock.systemUTC(), 0, Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PromptViews(Clock.systemUTC(), 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void countsEachTenantsPromptsUntilTheyFinish() {
    views.apply(prompt("a"));
    views.apply(prompt("b"));
    views.apply(new StatusUpdate("b", StatusUpdate.Status.RUNNING, 6L, null, "w1"));
    views.apply(new PromptSubmitted("other", "u", "m", "x", 2, 1L, null, null, null, null, null));
    assertThat(views.inFlight("t")).isEqualTo(2);
    assertThat(views.inFlightByTenant()).containsExactly(entry("t", 2), entry("u", 1));

    views.apply(result("a", InferenceResult.Status.SUCCEEDED));
    views.apply(result("a", InferenceResult.Status.SUCCEEDED));
    views.apply(prompt("a"));
    assertThat(views.inFlight("t")).as("redelivery changes nothing").isEqualTo(1);

    views.apply(result("b", InferenceResult.Status.CANCELLED));
    assertThat(views.inFlight("t")).isZero();
    assertThat(views.inFlightByTenant()).containsExactly(entry("u", 1));
    assertThat(views.inFlight("nobody")).isZero();
  }

  @Test
  void aPromptCountsOnlyOnceItsTenantIsKnownAndNeverAfterItsResult() {
    views.apply(new StatusUpdate("r1", StatusUpdate.Status.SCHEDULED, 5L, Budget.fixed(4), null));
    assertThat(views.inFlight("t")).as("tenant not yet known").isZero();
    views.apply(prompt());
    assertThat(views.inFlight("t")).isEqualTo(1);

    views.apply(result("late", InferenceResult.Status.FAILED));
    views.apply(prompt("late"));
    assertThat(views.inFlight("t")).as("the result came before the prompt").isEqualTo(1);
  }

  private static final class MutableClock extends Clock {
    private long millis = 1_000_000L;

    void advance(Duration d) {
      millis += d.toMillis();
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  private static PromptSubmitted prompt(String id) {
    return new PromptSubmitted(id, "t", "m", "a=7;a?", 2, 1L, null, null, null, null, null);
  }

  private static InferenceResult result(String id, InferenceResult.Status status) {
    return new InferenceResult(
        id,
        "t",
        "m",
        status,
        "7",
        List.of(11L),
        List.of(4),
        List.of(),
        null,
        Budget.fixed(4),
        null,
        10L,
        "w1",
        null);
  }

  private static PromptSubmitted prompt() {
    return new PromptSubmitted("r1", "t", "m", "a=7;a?", 2, 1L, null, null, null, null, null);
  }

  private static InferenceResult result(InferenceResult.Status status) {
    return new InferenceResult(
        "r1",
        "t",
        "m",
        status,
        "7",
        List.of(11L),
        List.of(4),
        List.of(),
        null,
        Budget.fixed(4),
        null,
        10L,
        "w1",
        null);
  }
}
