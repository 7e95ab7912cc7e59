package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.TokenEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The replica's in-memory view of every request, rebuilt from Kafka on start. Applying the same
 * message twice changes nothing, so at-least-once delivery is harmless. Listeners hear the id of
 * every request that changed, on the thread that applied the change, after the change is visible.
 */
class PromptViews implements InFlightPrompts {

  private record Finished(String id, long atMillis) {}

  private final Clock clock;
  private final int maxFinished;
  private final long maxAgeMillis;
  private final Map<String, PromptView> views = new ConcurrentHashMap<>();
  private final Queue<Finished> finished = new ConcurrentLinkedQueue<>();
  private final AtomicInteger finishedCount = new AtomicInteger();
  private final Map<String, NavigableMap<Integer, TokenEvent>> tokens = new ConcurrentHashMap<>();
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlightByModel = new ConcurrentHashMap<>();
  private final List<Consumer<PromptView>> finishListeners = new CopyOnWriteArrayList<>();

  /** Keeps every prompt: for tests that do not look at retention. */
  PromptViews() {
    this(Clock.systemUTC(), Integer.MAX_VALUE, Duration.ofMillis(Long.MAX_VALUE));
  }

  /**
   * @param maxFinished finished prompts kept at most; the oldest finished are forgotten first
   * @param maxAge how long a finished prompt is kept after its result was applied here (checked
   *     whenever a result is applied)
   */
  PromptViews(Clock clock, int maxFinished, Duration maxAge) {
    if (maxFinished < 1) {
      throw new IllegalArgumentException("maxFinished must be >= 1");
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
    this.clock = clock;
    this.maxFinished = maxFinished;
    this.maxAgeMillis = maxAge.toMillis();
  }

  void apply(PromptSubmitted prompt) {
    views.compute(
        prompt.requestId(),
        (id, view) ->
            counted(view, view == null ? PromptView.submitted(prompt) : view.with(prompt)));
    changed(prompt.requestId());
  }

  void apply(StatusUpdate update) {
    views.compute(
        update.requestId(),
        (id, view) -> counted(view, (view == null ? PromptView.unseen(id) : view).with(update)));
    changed(update.requestId());
  }

  void apply(InferenceResult result) {
    boolean[] finishedNow = {false};
    views.compute(
        result.requestId(),
        (id, view) -> {
          finishedNow[0] = view == null || !view.status().terminal();
          return counted(view, (view == null ? PromptView.unseen(id) : view).with(result));
        });
    changed(result.requestId());
    if (finishedNow[0]) {
      finished.add(new Finished(result.requestId(), clock.millis()));
      finishedCount.incrementAndGet();
    }
    evict();
  }

  /**
   * Keeps the in-flight counts (per tenant and per model) in step with one view's change, and tells
   * the finish listeners when a counted prompt leaves flight; called inside the map's compute, so
   * changes to one request are counted in the order they are applied, and a redelivered result
   * finishes nothing twice.
   */
  private PromptView counted(PromptView before, PromptView after) {
    String was = inFlightTenant(before);
    String is = inFlightTenant(after);
    if (was != null && !was.equals(is)) {
      inFlight.get(was).decrementAndGet();
      inFlightByModel.get(before.model()).decrementAndGet();
      if (is == null) {
        finishListeners.forEach(listener -> listener.accept(after));
      }
    }
    if (is != null && !is.equals(was)) {
      inFlight.computeIfAbsent(is, t -> new AtomicInteger()).incrementAndGet();
      inFlightByModel.computeIfAbsent(after.model(), m -> new AtomicInteger()).incrementAndGet();
    }
    return after;
  }

  /** Prompts of {@code model} accepted and not yet finished, as far as this replica has read. */
  int inFlightOfModel(String model) {
    AtomicInteger count = inFlightByModel.get(model);
    return count == null ? 0 : count.get();
  }

  /**
   * Hears each accepted prompt once, as it finishes, inside the change that finished it: listeners
   * must be quick and must not touch these views.
   */
  void onFinish(Consumer<PromptView> listener) {
    finishListeners.add(listener);
  }

  /** The tenant a view counts against while in flight; null when it counts against none. */
  private static String inFlightTenant(PromptView view) {
    return view == null || view.tenant() == null || view.status().terminal() ? null : view.tenant();
  }

  @Override
  public int inFlight(String tenant) {
    AtomicInteger count = inFlight.get(tenant);
    return count == null ? 0 : count.get();
  }

  @Override
  public Map<String, Integer> inFlightByTenant() {
    Map<String, Integer> counts = new TreeMap<>();
    inFlight.forEach(
        (tenant, count) -> {
          if (count.get() > 0) {
            counts.put(tenant, count.get());
          }
        });
    return counts;
  }

  /** Forgets the oldest finished prompts beyond the count, and any finished longer than the age. */
  private void evict() {
    long oldest = clock.millis() - maxAgeMillis;
    for (Finished head = finished.peek();
        head != null && (finishedCount.get() > maxFinished || head.atMillis() < oldest);
        head = finished.peek()) {
      if (finished.remove(head)) {
        finishedCount.decrementAndGet();
        views.remove(head.id());
        tokens.remove(head.id());
      }
    }
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

  /**
   * The prompt if this tenant submitted it. Another tenant's prompt is reported absent, so ids
   * cannot be probed across tenants (404, not 403).
   */
  Optional<PromptView> find(String id, String tenant) {
    return find(id).filter(v -> v.visibleTo(tenant));
  }

  int size() {
    return views.size();
  }
}
