package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.TokenEvent;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The replica's in-memory view of every request, rebuilt from Kafka on start. Applying the same
 * message twice changes nothing, so at-least-once delivery is harmless. Listeners hear the id of
 * every request that changed, on the thread that applied the change, after the change is visible.
 */
class PromptViews {

  private final Map<String, PromptView> views = new ConcurrentHashMap<>();
  private final Map<String, NavigableMap<Integer, TokenEvent>> tokens = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

  void apply(PromptSubmitted prompt) {
    views.compute(
        prompt.requestId(),
        (id, view) -> view == null ? PromptView.submitted(prompt) : view.with(prompt));
    changed(prompt.requestId());
  }

  void apply(StatusUpdate update) {
    views.compute(
        update.requestId(),
        (id, view) -> (view == null ? PromptView.unseen(id) : view).with(update));
    changed(update.requestId());
  }

  void apply(InferenceResult result) {
    views.compute(
        result.requestId(),
        (id, view) -> (view == null ? PromptView.unseen(id) : view).with(result));
    changed(result.requestId());
  }

  /** Keeps the first event seen for each token index, so redelivery changes nothing. */
  void apply(TokenEvent token) {
    tokens
        .computeIfAbsent(token.requestId(), id -> new ConcurrentSkipListMap<>())
        .putIfAbsent(token.index(), token);
    views.computeIfAbsent(token.requestId(), PromptView::unseen);
    changed(token.requestId());
  }

  /**
   * The tokens seen so far for a request, by index; gaps are possible while events are in flight.
   */
  NavigableMap<Integer, TokenEvent> tokens(String id) {
    NavigableMap<Integer, TokenEvent> seen = tokens.get(id);
    return seen == null ? new ConcurrentSkipListMap<>() : seen;
  }

  void onChange(Consumer<String> listener) {
    listeners.add(listener);
  }

  private void changed(String id) {
    for (Consumer<String> listener : listeners) {
      listener.accept(id);
    }
  }

  Optional<PromptView> find(String id) {
    return Optional.ofNullable(views.get(id));
  }

  int size() {
    return views.size();
  }
}
