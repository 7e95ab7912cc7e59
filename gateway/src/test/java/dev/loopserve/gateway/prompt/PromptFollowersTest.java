package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.ExitReason;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.TokenEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Changes are applied on the test thread and followers hear them there: no waiting. */
class PromptFollowersTest {

  private final PromptViews views = new PromptViews();
  private final PromptFollowers followers = new PromptFollowers(views);

  /** Writes down what it hears, as "token:<index>" and "done:<text>". */
  private static class Recorder implements PromptFollower {
    final List<String> heard = new ArrayList<>();
    Exception failure;

    @Override
    public void token(TokenEvent token) {
      heard.add("token:" + token.index());
    }

    @Override
    public void finished(InferenceResult result) {
      heard.add("done:" + result.text());
    }

    @Override
    public void failed(Exception e) {
      failure = e;
    }
  }

  @Test
  void aLateFollowerHearsTheHistoryThenLiveTokensInOrderAndEachOnce() {
    views.apply(prompt());
    views.apply(token(0));
    Recorder recorder = new Recorder();

    followers.follow("r1", recorder);
    assertThat(recorder.heard).containsExactly("token:0");

    views.apply(token(2));
    assertThat(recorder.heard).as("index 1 is missing: wait for it").containsExactly("token:0");
    views.apply(token(1));
    views.apply(token(1));
    views.apply(result("abc"));
    views.apply(result("abc"));

    assertThat(recorder.heard).containsExactly("token:0", "token:1", "token:2", "done:abc");
    assertThat(followers.following()).as("the result ends the follow").isZero();
  }

  @Test
  void tokensAfterTheResultAreNotHeard() {
    views.apply(prompt());
    Recorder recorder = new Recorder();
    followers.follow("r1", recorder);

    views.apply(result("ab"));
    views.apply(token(0));

    assertThat(recorder.heard).containsExactly("done:ab");
  }

  @Test
  void aFollowerThatThrowsIsToldOnceAndDropped() {
    views.apply(prompt());
    Recorder recorder =
        new Recorder() {
          @Override
          public void token(TokenEvent token) {
            throw new IllegalStateException("client gone");
          }
        };
    followers.follow("r1", recorder);

    views.apply(token(0));
    views.apply(token(1));

    assertThat(recorder.failure).hasMessage("client gone");
    assertThat(followers.following()).isZero();
  }

  @Test
  void stoppingEndsTheFollow() {
    views.apply(prompt());
    Recorder recorder = new Recorder();
    PromptFollowers.Following following = followers.follow("r1", recorder);

    following.stop();
    following.stop();
    views.apply(token(0));

    assertThat(recorder.heard).isEmpty();
    assertThat(followers.following()).isZero();
  }

  @Test
  void aPromptNotYetKnownIsFollowedUntilItAppears() {
    Recorder recorder = new Recorder();
    followers.follow("r1", recorder);

    views.apply(token(0));

    assertThat(recorder.heard).containsExactly("token:0");
  }

  @Test
  void whenFinishedCompletesWithTheResultAndStopsFollowing() {
    views.apply(prompt());
    CompletableFuture<InferenceResult> finished = followers.whenFinished("r1");
    assertThat(finished).isNotDone();

    views.apply(result("x"));

    assertThat(finished).isCompletedWithValueMatching(r -> r.text().equals("x"));
    assertThat(followers.following()).isZero();
  }

  @Test
  void whenFinishedOfAFinishedPromptIsAlreadyComplete() {
    views.apply(prompt());
    views.apply(result("x"));

    assertThat(followers.whenFinished("r1")).isCompleted();
    assertThat(followers.following()).isZero();
  }

  @Test
  void cancellingTheWaitStopsFollowing() {
    views.apply(prompt());
    CompletableFuture<InferenceResult> finished = followers.whenFinished("r1");
    assertThat(followers.following()).isOne();

    finished.cancel(false);

    assertThat(followers.following()).isZero();
  }

  private static PromptSubmitted prompt() {
    return new PromptSubmitted("r1", "t", "m", "a=7;a?", 3, 1L, null, null, null, null, null);
  }

  private static TokenEvent token(int index) {
    return new TokenEvent("r1", index, 10L + index, "t" + index, 4, ExitReason.BUDGET, 5L);
  }

  private static InferenceResult result(String text) {
    return new InferenceResult(
        "r1",
        "t",
        "m",
        InferenceResult.Status.SUCCEEDED,
        text,
        List.of(1L, 2L),
        List.of(4, 4),
        List.of(ExitReason.BUDGET, ExitReason.BUDGET),
        FinishReason.EOS,
        null,
        null,
        0L,
        "w1",
        null);
  }
}
