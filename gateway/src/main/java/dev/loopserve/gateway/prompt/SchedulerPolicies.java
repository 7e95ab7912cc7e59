package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.messages.Priority;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scheduler's latest published policy per model (the compacted {@code loopserve.policy} topic),
 * read for one figure: how far it has cut each priority's recurrence to keep up with load.
 */
final class SchedulerPolicies {

  private final Map<String, PolicySnapshot> latest = new ConcurrentHashMap<>();

  /** Keeps the highest version per model, so a redelivered older snapshot changes nothing. */
  void apply(PolicySnapshot snapshot) {
    latest.merge(
        snapshot.model(), snapshot, (old, now) -> now.version() >= old.version() ? now : old);
  }

  /**
   * How far the scheduler has cut {@code priority}'s recurrence for {@code model}: 0 at the model's
   * default depth (or above), 1 at its minimum; null when no policy has been seen or the snapshot
   * does not say.
   */
  Double degradation(String model, Priority priority) {
    PolicySnapshot snapshot = latest.get(model);
    if (snapshot == null
        || !(snapshot.details().get("levels") instanceof Map<?, ?> levels)
        || !(levels.get(priority.name().toLowerCase(Locale.ROOT)) instanceof Number r)) {
      return null;
    }
    int room = snapshot.defaultSteps() - snapshot.minSteps();
    if (room <= 0) {
      return 0.0;
    }
    double cut = (snapshot.defaultSteps() - r.doubleValue()) / room;
    return Math.max(0, Math.min(1, cut));
  }
}
