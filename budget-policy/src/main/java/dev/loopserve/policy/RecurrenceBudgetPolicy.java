package dev.loopserve.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Spends as many recurrences on each request as the load allows.
 *
 * <p>For a request of class c the policy predicts, for each budget r, its completion time from
 * submission: time already spent + dispatch delay + wait for a batch slot + its own service time at
 * r (see {@link FleetModel} and {@link CostModel}). It picks the largest r in the request's range
 * that
 *
 * <ol>
 *   <li>finishes within target * (1 - safetyMargin), and
 *   <li>would not, if every arrival cost as much, push the fleet past {@code maxUtilization} of its
 *       full-batch throughput (so high budgets are not handed out faster than the fleet can run
 *       them, building a queue that later requests pay for).
 * </ol>
 *
 * <p>If no r in range passes, the request gets the smallest one and is marked degraded.
 *
 * <p>Against flapping, measured inputs are smoothed by the {@link LoadTracker}, and the chosen
 * level per model and class has hysteresis: it falls as soon as the current level fails the checks,
 * but rises only after {@code raiseHoldoff} since the last change and only to a level that passes
 * with an extra {@code hysteresisBand} of the target (and of the utilization limit) to spare. A
 * held level is never above what passes, so hysteresis never costs the target.
 *
 * <p>Priority: the level of a class is capped at the level every more important class would get for
 * the same request and queue, so a more important class never gets a smaller budget.
 *
 * <p>Cold start (no live worker): the model's default budget, with the latency predicted from the
 * configured cold-start capacity guess.
 */
public final class RecurrenceBudgetPolicy implements BudgetPolicy {
  private final PolicyConfig config;
  private final ModelCatalog catalog;
  private final Map<LevelKey, Level> levels = new HashMap<>();

  public RecurrenceBudgetPolicy(PolicyConfig config, ModelCatalog catalog) {
    this.config = Objects.requireNonNull(config, "config");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  public PolicyConfig config() {
    return config;
  }

  @Override
  public synchronized Decision decide(RequestParams request, LoadSnapshot load) {
    ModelProfile profile = catalog.require(request.model());
    requireSameModel(request, load);
    RequestBounds bounds = RequestBounds.of(request, profile);
    FleetModel fleet = new FleetModel(load, config);
    Instant now = load.at();
    double elapsed = Math.max(0, seconds(Duration.between(request.submittedAt(), now)));
    CostModel cost = profile.cost();
    double defaultWork = cost.workSteps(profile.recurrence().defaultSteps(), request.maxTokens());

    if (load.coldStart()) {
      int r = bounds.clamp(profile.recurrence().defaultSteps());
      double work = cost.workSteps(r, request.maxTokens());
      return new Decision(
          bounds.budget(r),
          config.version(),
          duration(predict(fleet, elapsed, work)),
          false,
          Decision.Reason.COLD_START,
          work,
          defaultWork);
    }

    Evaluation own = null;
    int higherCap = Integer.MAX_VALUE;
    for (PriorityClass c : PriorityClass.values()) {
      if (!c.atLeast(request.priority())) {
        continue;
      }
      Evaluation e = evaluate(request, c, profile, fleet, elapsed, now, c == request.priority());
      if (c == request.priority()) {
        own = e;
      } else {
        higherCap = Math.min(higherCap, e.level);
      }
    }
    int level = Math.min(own.level, higherCap);
    int r = bounds.clamp(level);
    double work = cost.workSteps(r, request.maxTokens());
    Checks ownChecks = new Checks(request, request.priority(), profile, fleet, elapsed);
    boolean degraded = r == bounds.lo() && !ownChecks.pass(r, 0);
    Decision.Reason reason;
    if (degraded) {
      reason = Decision.Reason.OVERLOAD;
    } else if (higherCap < own.level && r < bounds.clamp(own.level)) {
      reason = Decision.Reason.PRIORITY_CAP;
    } else {
      reason = own.reason;
    }
    return new Decision(
        bounds.budget(r),
        config.version(),
        duration(predict(fleet, elapsed, work)),
        degraded,
        reason,
        work,
        defaultWork);
  }

  /**
   * The current hysteresis level per class for a model, over its manifest range (before a request's
   * own range and the priority cap); empty for classes not decided yet. For the {@code
   * PolicySnapshot} message and dashboards.
   */
  public synchronized Map<PriorityClass, Integer> currentLevels(String model) {
    Map<PriorityClass, Integer> out = new java.util.EnumMap<>(PriorityClass.class);
    levels.forEach(
        (key, level) -> {
          if (key.model().equals(model)) {
            out.put(key.priority(), level.steps);
          }
        });
    return out;
  }

  @Override
  public int desiredReplicas(LoadSnapshot load) {
    ModelProfile profile = catalog.require(load.model());
    return ReplicaPlanner.desiredReplicas(
        profile, load, config, profile.recurrence().defaultSteps());
  }

  /** The hysteresis-filtered level of class c for this request, over the manifest range. */
  private Evaluation evaluate(
      RequestParams request,
      PriorityClass c,
      ModelProfile profile,
      FleetModel fleet,
      double elapsed,
      Instant now,
      boolean remember) {
    RecurrenceRange range = profile.recurrence();
    Checks checks = new Checks(request, c, profile, fleet, elapsed);
    int raw = checks.largestPassing(range.min(), range.max(), 0);
    if (raw < range.min()) {
      raw = range.min();
    }
    LevelKey key = new LevelKey(profile.model(), c);
    Level current = levels.get(key);
    int level;
    Decision.Reason reason = Decision.Reason.FITS;
    boolean changed;
    if (current == null || raw <= current.steps) {
      level = raw;
      changed = current == null || raw != current.steps;
    } else if (Duration.between(current.changedAt, now).compareTo(config.raiseHoldoff()) < 0) {
      level = current.steps;
      reason = Decision.Reason.HELD;
      changed = false;
    } else {
      int up = checks.largestPassing(current.steps, raw, config.hysteresisBand());
      level = Math.max(current.steps, up);
      changed = level != current.steps;
      if (level < raw) {
        reason = Decision.Reason.HELD;
      }
    }
    if (remember && changed) {
      levels.put(key, new Level(level, now));
    }
    return new Evaluation(level, reason);
  }

  private double predict(FleetModel fleet, double elapsed, double work) {
    return elapsed
        + seconds(config.dispatchDelay())
        + fleet.waitSeconds()
        + fleet.serviceSeconds(work);
  }

  private static void requireSameModel(RequestParams request, LoadSnapshot load) {
    if (!request.model().equals(load.model())) {
      throw new IllegalArgumentException(
          "snapshot is for " + load.model() + ", request for " + request.model());
    }
  }

  static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  static Duration duration(double seconds) {
    if (!(seconds < 1e9)) {
      return Duration.ofSeconds(1_000_000_000L);
    }
    return Duration.ofNanos(Math.round(seconds * 1e9));
  }

  /** The latency and utilization checks for one request in one class. */
  private final class Checks {
    private final RequestParams request;
    private final ModelProfile profile;
    private final FleetModel fleet;
    private final double elapsed;
    private final double target;
    private final double margin;

    Checks(
        RequestParams request,
        PriorityClass c,
        ModelProfile profile,
        FleetModel fleet,
        double elapsed) {
      this.request = request;
      this.profile = profile;
      this.fleet = fleet;
      this.elapsed = elapsed;
      this.target = targetSeconds(request, config.target(c));
      this.margin = config.target(c).safetyMargin();
    }

    boolean pass(int r, double band) {
      double work = profile.cost().workSteps(r, request.maxTokens());
      double budget = target * (1 - margin - band);
      return predict(fleet, elapsed, work) <= budget
          && fleet.utilization(work) <= config.maxUtilization() * (1 - band);
    }

    /** Largest r in [lo, hi] that passes, or lo - 1 when none does; pass is monotone in r. */
    int largestPassing(int lo, int hi, double band) {
      int found = lo - 1;
      int a = lo;
      int b = hi;
      while (a <= b) {
        int mid = (a + b) >>> 1;
        if (pass(mid, band)) {
          found = mid;
          a = mid + 1;
        } else {
          b = mid - 1;
        }
      }
      return found;
    }
  }

  /** The request's target in seconds from submission: its own, else the class default. */
  static double targetSeconds(RequestParams request, ClassTarget classTarget) {
    double target =
        seconds(
            request.latencyTarget() != null
                ? request.latencyTarget()
                : classTarget.latencyTarget());
    if (request.deadline() != null) {
      target =
          Math.min(target, seconds(Duration.between(request.submittedAt(), request.deadline())));
    }
    return target;
  }

  private record LevelKey(String model, PriorityClass priority) {}

  private record Level(int steps, Instant changedAt) {}

  private record Evaluation(int level, Decision.Reason reason) {}
}
