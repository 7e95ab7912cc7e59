package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replica's in-memory view of every request, rebuilt from Kafka on start. Applying the same
 * message twice changes nothing, so at-least-once delivery is harmless.
 */
class PromptViews {

  private final Map<String, PromptView> views = new ConcurrentHashMap<>();

  void apply(PromptSubmitted prompt) {
    views.compute(
        prompt.requestId(),
        (id, view) -> view == null ? PromptView.submitted(prompt) : view.with(prompt));
  }

  void apply(StatusUpdate update) {
    views.compute(
        update.requestId(),
        (id, view) -> (view == null ? PromptView.unseen(id) : view).with(update));
  }

  void apply(InferenceResult result) {
    views.compute(
        result.requestId(),
        (id, view) -> (view == null ? PromptView.unseen(id) : view).with(result));
  }

  Optional<PromptView> find(String id) {
    return Optional.ofNullable(views.get(id));
  }

  int size() {
    return views.size();
  }
}
