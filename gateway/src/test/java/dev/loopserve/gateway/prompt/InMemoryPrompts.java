package dev.loopserve.gateway.prompt;

import dev.loopserve.gateway.model.ModelCatalog;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.TokenEvent;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * The prompt feature wired in memory for other features' tests: no Kafka; the test plays the
 * inference service by applying what it would publish. Changes are applied, and followers told, on
 * the calling thread.
 */
public final class InMemoryPrompts {

  private final PromptViews views = new PromptViews();
  private final PromptFollowers followers = new PromptFollowers(views);
  private final PromptSubmission submission;

  /**
   * @param queue hears every prompt as it is queued, before the view shows it; it may answer at
   *     once through {@link #apply}
   */
  public InMemoryPrompts(ModelCatalog catalog, Clock clock, Consumer<PromptSubmitted> queue) {
    this.submission = new PromptSubmission(new PromptAdmission(catalog, 16), queue, views, clock);
  }

  public PromptSubmission submission() {
    return submission;
  }

  public PromptFollowers followers() {
    return followers;
  }

  public void apply(StatusUpdate update) {
    views.apply(update);
  }

  public void apply(TokenEvent token) {
    views.apply(token);
  }

  public void apply(InferenceResult result) {
    views.apply(result);
  }
}
