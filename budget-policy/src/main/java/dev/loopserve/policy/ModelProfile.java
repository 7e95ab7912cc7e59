package dev.loopserve.policy;

import java.util.Objects;

/**
 * What the policy needs to know about one model: its manifest recurrence range, its default exit
 * thresholds and how its requests are priced.
 */
public record ModelProfile(
    String model, RecurrenceRange recurrence, ExitThresholds exit, CostModel cost) {

  public ModelProfile {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model name is required");
    }
    Objects.requireNonNull(recurrence, "recurrence");
    Objects.requireNonNull(exit, "exit");
    Objects.requireNonNull(cost, "cost");
  }

  public static Builder builder(String model) {
    return new Builder(model);
  }

  /** Builds a profile; recurrence is required, exit defaults to disabled, cost to 1.0 overhead. */
  public static final class Builder {
    private final String model;
    private RecurrenceRange recurrence;
    private ExitThresholds exit = ExitThresholds.disabled();
    private CostModel cost = new CostModel(1.0, 0);

    private Builder(String model) {
      this.model = model;
    }

    public Builder recurrence(int min, int defaultSteps, int max) {
      this.recurrence = new RecurrenceRange(min, defaultSteps, max);
      return this;
    }

    public Builder exit(double stateDelta, double kl) {
      this.exit = new ExitThresholds(stateDelta, kl);
      return this;
    }

    public Builder cost(double overheadStepsPerToken, int typicalTokens) {
      this.cost = new CostModel(overheadStepsPerToken, typicalTokens);
      return this;
    }

    public ModelProfile build() {
      if (recurrence == null) {
        throw new IllegalStateException("recurrence range is required for " + model);
      }
      return new ModelProfile(model, recurrence, exit, cost);
    }
  }
}
