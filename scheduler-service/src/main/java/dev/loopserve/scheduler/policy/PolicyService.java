package dev.loopserve.scheduler.policy;

import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.policy.PriorityClass;
import dev.loopserve.scheduler.budget.AdaptiveBudgetPolicy;
import dev.loopserve.scheduler.budget.PolicyOverride;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * The current policy per model and the operator's overrides of it. Every change is published at
 * once; {@link #publishAll()} republishes everything (periodically, so the compacted topic carries
 * fresh levels and replica counts), but only once the state was recovered from the topic, so a
 * restarted scheduler never overwrites an override it has not read back yet.
 */
public final class PolicyService {

  private final AdaptiveBudgetPolicy policy;
  private final PolicyPublisher publisher;
  private final BooleanSupplier recovered;

  public PolicyService(
      AdaptiveBudgetPolicy policy, PolicyPublisher publisher, BooleanSupplier recovered) {
    this.policy = policy;
    this.publisher = publisher;
    this.recovered = recovered;
  }

  /** Models with a package here, plus any model a prompt has named. */
  public Set<String> models() {
    Set<String> models = new TreeSet<>(policy.policies().manifests().names());
    models.addAll(policy.tracker().models());
    return models;
  }

  public List<PolicySnapshot> all() {
    return models().stream().map(policy::snapshot).toList();
  }

  /**
   * @throws dev.loopserve.policy.UnknownModelException for a model with no package here
   * @throws dev.loopserve.scheduler.budget.InvalidOverrideException for an override that does not
   *     fit
   * @throws IllegalArgumentException for an unknown priority class
   */
  public PolicySnapshot override(String model, OverrideRequest request) {
    Map<PriorityClass, Duration> targets = new EnumMap<>(PriorityClass.class);
    if (request.latencyTargetsMs() != null) {
      request
          .latencyTargetsMs()
          .forEach(
              (c, ms) -> {
                if (ms != null) {
                  targets.put(PriorityClass.fromWire(c), Duration.ofMillis(ms));
                }
              });
    }
    policy
        .policies()
        .override(model, new PolicyOverride(request.minSteps(), request.maxSteps(), targets));
    PolicySnapshot snapshot = policy.snapshot(model);
    publisher.publish(snapshot);
    return snapshot;
  }

  public void publishAll() {
    if (recovered.getAsBoolean()) {
      all().forEach(publisher::publish);
    }
  }
}
