package dev.loopserve.policy;

import java.time.Duration;
import java.util.Objects;

/**
 * The baseline: every request gets the same budget (the manifest's min, default or max, or a set
 * r), clamped to the request's own range, whatever the load. Predictions use the same queueing
 * model as {@link RecurrenceBudgetPolicy}, so decisions stay comparable.
 */
public final class FixedBudgetPolicy implements BudgetPolicy {

  /** Which budget to fix. */
  public enum Level {
    MIN,
    DEFAULT,
    MAX
  }

  private final PolicyConfig config;
  private final ModelCatalog catalog;
  private final Level level;

  public FixedBudgetPolicy(PolicyConfig config, ModelCatalog catalog, Level level) {
    this.config = Objects.requireNonNull(config, "config");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.level = Objects.requireNonNull(level, "level");
  }

  public Level level() {
    return level;
  }

  @Override
  public Decision decide(RequestParams request, LoadSnapshot load) {
    ModelProfile profile = catalog.require(request.model());
    if (!request.model().equals(load.model())) {
      throw new IllegalArgumentException(
          "snapshot is for " + load.model() + ", request for " + request.model());
    }
    RequestBounds bounds = RequestBounds.of(request, profile);
    int r = bounds.clamp(steps(profile.recurrence()));
    CostModel cost = profile.cost();
    double work = cost.workSteps(r, request.maxTokens());
    FleetModel fleet = new FleetModel(load, config);
    double elapsed =
        Math.max(
            0, RecurrenceBudgetPolicy.seconds(Duration.between(request.submittedAt(), load.at())));
    double predicted =
        elapsed
            + RecurrenceBudgetPolicy.seconds(config.dispatchDelay())
            + fleet.waitSeconds()
            + fleet.serviceSeconds(work);
    return new Decision(
        bounds.budget(r),
        config.version() + "/fixed-" + level.name().toLowerCase(java.util.Locale.ROOT),
        RecurrenceBudgetPolicy.duration(predicted),
        false,
        Decision.Reason.FIXED,
        work,
        cost.workSteps(profile.recurrence().defaultSteps(), request.maxTokens()));
  }

  @Override
  public int desiredReplicas(LoadSnapshot load) {
    ModelProfile profile = catalog.require(load.model());
    return ReplicaPlanner.desiredReplicas(profile, load, config, steps(profile.recurrence()));
  }

  private int steps(RecurrenceRange range) {
    return switch (level) {
      case MIN -> range.min();
      case DEFAULT -> range.defaultSteps();
      case MAX -> range.max();
    };
  }
}
