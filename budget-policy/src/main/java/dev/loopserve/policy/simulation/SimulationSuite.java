package dev.loopserve.policy.simulation;

import dev.loopserve.policy.BudgetPolicy;
import dev.loopserve.policy.FixedBudgetPolicy;
import dev.loopserve.policy.ModelCatalog;
import dev.loopserve.policy.ModelProfile;
import dev.loopserve.policy.PolicyConfig;
import dev.loopserve.policy.RecurrenceBudgetPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The standard comparison: the adaptive policy against fixed budgets at the manifest's min, default
 * and max, on three traces scaled to the fleet's capacity at the default budget.
 */
public final class SimulationSuite {
  /** Arrival rate outside overload and bursts, as a share of capacity at the default budget. */
  public static final double BASE_LOAD = 0.7;

  /** Arrival rate during the overload step, as a share of capacity at the default budget. */
  public static final double OVERLOAD = 3.0;

  private final Simulator simulator;
  private final ModelProfile profile;
  private final PolicyConfig config;

  public SimulationSuite(Simulator simulator, ModelProfile profile, PolicyConfig config) {
    this.simulator = simulator;
    this.profile = profile;
    this.config = config;
  }

  /** Requests per second the fleet sustains at full batch with every request at the default r. */
  public double capacityAtDefault() {
    return simulator.capacityAt(profile.recurrence().defaultSteps());
  }

  /** Poisson arrivals at 0.7x capacity-at-default for 60 s. */
  public Trace steady() {
    return Trace.poisson(BASE_LOAD * capacityAtDefault(), 60);
  }

  /** 0.7x capacity-at-default for 20 s, 3x for 20 s, 0.7x for 20 s. */
  public Trace overloadStep() {
    double c = capacityAtDefault();
    return Trace.step(BASE_LOAD * c, OVERLOAD * c, 20, 20, 20);
  }

  /**
   * 0.7x capacity-at-default for 20 s, then three times that arrival rate (2.1x) for 20 s, then
   * 0.7x for 20 s: a 3x step in load. Unlike {@link #overloadStep()} it stays within what the fleet
   * can serve at the smallest budget whenever r = min costs under a third of r = default (the
   * trained demo model: min 1, default 4, so r = 1 sustains 2.5x capacity-at-default and a 3x
   * capacity step is beyond every policy).
   */
  public Trace loadStep() {
    double c = capacityAtDefault();
    return Trace.step(BASE_LOAD * c, 3 * BASE_LOAD * c, 20, 20, 20).named("load-step-3x");
  }

  /** 0.5x capacity-at-default with a 2 s burst at 3x every 10 s, for 60 s. */
  public Trace bursts() {
    double c = capacityAtDefault();
    return Trace.bursts(0.5 * c, OVERLOAD * c, 10, 2, 60);
  }

  public List<Trace> traces() {
    return List.of(steady(), overloadStep(), loadStep(), bursts());
  }

  /** Policy name to a factory of fresh instances: adaptive, fixed-min, fixed-default, fixed-max. */
  public Map<String, Supplier<BudgetPolicy>> policies() {
    ModelCatalog catalog = ModelCatalog.of(profile);
    Map<String, Supplier<BudgetPolicy>> p = new LinkedHashMap<>();
    p.put("adaptive", () -> new RecurrenceBudgetPolicy(config, catalog));
    p.put(
        "fixed-min r=" + profile.recurrence().min(),
        () -> new FixedBudgetPolicy(config, catalog, FixedBudgetPolicy.Level.MIN));
    p.put(
        "fixed-default r=" + profile.recurrence().defaultSteps(),
        () -> new FixedBudgetPolicy(config, catalog, FixedBudgetPolicy.Level.DEFAULT));
    p.put(
        "fixed-max r=" + profile.recurrence().max(),
        () -> new FixedBudgetPolicy(config, catalog, FixedBudgetPolicy.Level.MAX));
    return p;
  }

  /** Every policy on one trace, in {@link #policies()} order. */
  public List<RunReport> compare(Trace trace) {
    List<RunReport> out = new ArrayList<>();
    policies().forEach((name, factory) -> out.add(simulator.run(name, trace, factory)));
    return out;
  }
}
