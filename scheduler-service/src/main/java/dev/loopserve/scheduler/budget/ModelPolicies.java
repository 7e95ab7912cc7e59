package dev.loopserve.scheduler.budget;

import dev.loopserve.policy.ClassTarget;
import dev.loopserve.policy.ExitThresholds;
import dev.loopserve.policy.ModelCatalog;
import dev.loopserve.policy.ModelProfile;
import dev.loopserve.policy.PolicyConfig;
import dev.loopserve.policy.PriorityClass;
import dev.loopserve.policy.RecurrenceBudgetPolicy;
import dev.loopserve.policy.UnknownModelException;
import dev.loopserve.scheduler.model.ModelManifests;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy in force per model: the manifest's range and the configured targets, narrowed by the
 * operator's override, with a version that increases with every override. Each model has its own
 * {@link RecurrenceBudgetPolicy}, rebuilt on an override (which resets its hysteresis: an operator
 * change takes effect at once).
 */
public final class ModelPolicies {

  /** Used for a model whose package this scheduler cannot see (its workers may still serve it). */
  static final ModelProfile.Builder FALLBACK =
      ModelProfile.builder("fallback").recurrence(1, 8, 32);

  /**
   * One model's policy.
   *
   * @param version 1 for the configured policy, then +1 per override
   * @param manifest the manifest's profile, before the override
   * @param profile the profile the policy decides with (override applied)
   */
  public record Current(
      String model,
      long version,
      PolicyOverride override,
      ModelProfile manifest,
      ModelProfile profile,
      RecurrenceBudgetPolicy policy) {}

  private final ModelManifests manifests;
  private final PolicyConfig base;
  private final Map<String, Current> current = new ConcurrentHashMap<>();

  public ModelPolicies(ModelManifests manifests, PolicyConfig base) {
    this.manifests = manifests;
    this.base = base;
  }

  public PolicyConfig base() {
    return base;
  }

  public ModelManifests manifests() {
    return manifests;
  }

  public Current current(String model) {
    Current c = current.get(model);
    return c != null ? c : current.computeIfAbsent(model, m -> build(m, 1, PolicyOverride.NONE));
  }

  /**
   * Puts an operator override in force, replacing any earlier one.
   *
   * @throws UnknownModelException when the model has no package here
   * @throws InvalidOverrideException when the override does not fit the manifest
   */
  public synchronized Current override(String model, PolicyOverride override) {
    ModelProfile manifest =
        manifests.find(model).orElseThrow(() -> new UnknownModelException(model));
    var problems = override.problems(manifest.recurrence());
    if (!problems.isEmpty()) {
      throw new InvalidOverrideException(problems);
    }
    Current next = build(model, current(model).version() + 1, override);
    current.put(model, next);
    return next;
  }

  /**
   * Restores a policy read back from the policy topic after a restart; ignored when it is older
   * than what is in force, or does not fit the manifest any more (the package changed).
   *
   * @return whether it was applied
   */
  public synchronized boolean restore(String model, long version, PolicyOverride override) {
    if (version < current(model).version()) {
      return false;
    }
    ModelProfile manifest = manifests.find(model).orElse(null);
    if (manifest != null && !override.problems(manifest.recurrence()).isEmpty()) {
      current.put(model, build(model, version, PolicyOverride.NONE));
      return false;
    }
    current.put(model, build(model, version, override));
    return true;
  }

  private Current build(String model, long version, PolicyOverride override) {
    ModelProfile manifest =
        manifests
            .find(model)
            .orElseGet(
                () ->
                    new ModelProfile(
                        model,
                        FALLBACK.build().recurrence(),
                        ExitThresholds.disabled(),
                        FALLBACK.build().cost()));
    ModelProfile profile =
        new ModelProfile(
            model, override.apply(manifest.recurrence()), manifest.exit(), manifest.cost());
    PolicyConfig config = config(override, version);
    return new Current(
        model,
        version,
        override,
        manifest,
        profile,
        new RecurrenceBudgetPolicy(config, ModelCatalog.of(profile)));
  }

  private PolicyConfig config(PolicyOverride override, long version) {
    Map<PriorityClass, ClassTarget> classes = new EnumMap<>(base.classes());
    override
        .latencyTargets()
        .forEach((c, d) -> classes.put(c, new ClassTarget(d, base.target(c).safetyMargin())));
    return new PolicyConfig(
        classes,
        base.hysteresisBand(),
        base.raiseHoldoff(),
        base.residualShare(),
        base.dispatchDelay(),
        base.maxUtilization(),
        base.coldStartSecondsPerStep(),
        base.coldStartMaxBatch(),
        base.targetUtilization(),
        base.minReplicas(),
        base.maxReplicas(),
        base.version() + "/v" + version);
  }
}
