package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
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
