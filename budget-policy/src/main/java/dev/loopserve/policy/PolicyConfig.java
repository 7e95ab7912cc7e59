package dev.loopserve.policy;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Tuning of {@link RecurrenceBudgetPolicy}. Build with {@link #builder()}; every setter validates.
 *
 * @param classes default target and safety margin per priority class
 * @param hysteresisBand extra share of the target a larger budget must leave free before the policy
 *     raises r, in [0, 1); lowering r needs no band
 * @param raiseHoldoff time after a change of r (per model and class) before r may be raised again
 * @param residualShare share of a running request's work assumed still to do when a slot frees, in
 *     [0, 1]; 0.5 is the mean for uniformly staggered requests, 0 reads "wait = all outstanding
 *     work / fleet rate" literally
 * @param dispatchDelay fixed delay between the decision and a worker seeing the request (topic hop,
 *     consumer poll), added to every prediction
 * @param maxUtilization a budget is only chosen if arrivals at that budget would load the fleet to
 *     at most this share of its full-batch throughput, so a queue is not built up that later
 *     requests must pay for; {@code Double.POSITIVE_INFINITY} turns the check off
 * @param coldStartSecondsPerStep assumed seconds per step at batch 1 for a worker that has not
 *     reported a step time (and for a fleet with no live worker); pick a pessimistic figure
 * @param coldStartMaxBatch assumed batch slots per worker when no worker is live
 * @param targetUtilization share of full throughput the autoscaler plans workers to run at, (0, 1]
 * @param minReplicas fewest replicas {@link BudgetPolicy#desiredReplicas} returns
 * @param maxReplicas most replicas it returns
 * @param version policy version stamped on every decision
 */
public record PolicyConfig(
    Map<PriorityClass, ClassTarget> classes,
    double hysteresisBand,
    Duration raiseHoldoff,
    double residualShare,
    Duration dispatchDelay,
    double maxUtilization,
    double coldStartSecondsPerStep,
    int coldStartMaxBatch,
    double targetUtilization,
    int minReplicas,
    int maxReplicas,
    String version) {

  public PolicyConfig {
    EnumMap<PriorityClass, ClassTarget> copy = new EnumMap<>(PriorityClass.class);
    for (PriorityClass c : PriorityClass.values()) {
      copy.put(c, Objects.requireNonNull(classes.get(c), "no target for class " + c));
    }
    classes = Map.copyOf(copy);
    if (!(hysteresisBand >= 0 && hysteresisBand < 1)) {
      throw new IllegalArgumentException("hysteresisBand must be in [0, 1)");
    }
    requireNotNegative(raiseHoldoff, "raiseHoldoff");
    if (!(residualShare >= 0 && residualShare <= 1)) {
      throw new IllegalArgumentException("residualShare must be in [0, 1]");
    }
    requireNotNegative(dispatchDelay, "dispatchDelay");
    if (!(maxUtilization > 0)) {
      throw new IllegalArgumentException("maxUtilization must be > 0");
    }
    if (!(coldStartSecondsPerStep > 0) || Double.isInfinite(coldStartSecondsPerStep)) {
      throw new IllegalArgumentException("coldStartSecondsPerStep must be finite and > 0");
    }
    if (coldStartMaxBatch < 1) {
      throw new IllegalArgumentException("coldStartMaxBatch must be >= 1");
    }
    if (!(targetUtilization > 0 && targetUtilization <= 1)) {
      throw new IllegalArgumentException("targetUtilization must be in (0, 1]");
    }
    if (minReplicas < 0 || maxReplicas < Math.max(1, minReplicas)) {
      throw new IllegalArgumentException("need 0 <= minReplicas <= maxReplicas, maxReplicas >= 1");
    }
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("version is required");
    }
  }

  public ClassTarget target(PriorityClass c) {
    return classes.get(c);
  }

  private static void requireNotNegative(Duration d, String name) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: interactive 500 ms, standard 2 s, batch 30 s, each with a 20% margin. */
  public static final class Builder {
    private final Map<PriorityClass, ClassTarget> classes = new EnumMap<>(PriorityClass.class);
    private double hysteresisBand = 0.1;
    private Duration raiseHoldoff = Duration.ofSeconds(1);
    private double residualShare = 0.5;
    private Duration dispatchDelay = Duration.ZERO;
    private double maxUtilization = 0.95;
    private double coldStartSecondsPerStep = 0.05;
    private int coldStartMaxBatch = 1;
    private double targetUtilization = 0.8;
    private int minReplicas = 1;
    private int maxReplicas = 100;
    private String version = "recurrence-budget/1";

    private Builder() {
      classes.put(PriorityClass.INTERACTIVE, new ClassTarget(Duration.ofMillis(500), 0.2));
      classes.put(PriorityClass.STANDARD, new ClassTarget(Duration.ofSeconds(2), 0.2));
      classes.put(PriorityClass.BATCH, new ClassTarget(Duration.ofSeconds(30), 0.2));
    }

    public Builder classTarget(PriorityClass c, Duration latencyTarget, double safetyMargin) {
      classes.put(Objects.requireNonNull(c), new ClassTarget(latencyTarget, safetyMargin));
      return this;
    }

    public Builder hysteresisBand(double band) {
      this.hysteresisBand = band;
      return this;
    }

    public Builder raiseHoldoff(Duration d) {
      this.raiseHoldoff = d;
      return this;
    }

    public Builder residualShare(double share) {
      this.residualShare = share;
      return this;
    }

    public Builder dispatchDelay(Duration d) {
      this.dispatchDelay = d;
      return this;
    }

    public Builder maxUtilization(double u) {
      this.maxUtilization = u;
      return this;
    }

    public Builder coldStart(double secondsPerStep, int maxBatch) {
      this.coldStartSecondsPerStep = secondsPerStep;
      this.coldStartMaxBatch = maxBatch;
      return this;
    }

    public Builder autoscaling(double targetUtilization, int minReplicas, int maxReplicas) {
      this.targetUtilization = targetUtilization;
      this.minReplicas = minReplicas;
      this.maxReplicas = maxReplicas;
      return this;
    }

    public Builder version(String version) {
      this.version = version;
      return this;
    }

    public PolicyConfig build() {
      return new PolicyConfig(
          classes,
          hysteresisBand,
          raiseHoldoff,
          residualShare,
          dispatchDelay,
          maxUtilization,
          coldStartSecondsPerStep,
          coldStartMaxBatch,
          targetUtilization,
          minReplicas,
          maxReplicas,
          version);
    }
  }
}
