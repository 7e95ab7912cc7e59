package dev.loopserve.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Sizes a fleet for a budget: replicas = ceil(demand / (targetUtilization * perWorker)), where
 * demand = arrivals/s * work per request at that budget (step units/s), and perWorker is the
 * throughput of one worker at the largest batch b whose service time still fits the tightest
 * latency target among the classes that have traffic (a bigger batch is faster per unit but slower
 * per request).
 */
final class ReplicaPlanner {
  private ReplicaPlanner() {}

  static int desiredReplicas(ModelProfile profile, LoadSnapshot load, PolicyConfig config, int r) {
    double rate = load.totalArrivalRate();
    if (rate <= 0) {
      return clamp(config.minReplicas(), config);
    }
    // Tokens per request, as recent traffic was priced; the cost model's guess before any traffic.
    double overhead = profile.cost().overheadStepsPerToken();
    double tokens =
        load.meanDefaultWork() > 0
            ? load.meanDefaultWork() / (profile.recurrence().defaultSteps() + overhead)
            : Math.max(1, profile.cost().typicalTokens());
    double work = tokens * (r + overhead);

    List<StepTimeCurve> curves = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    StepTimeCurve cold = StepTimeCurve.single(1, config.coldStartSecondsPerStep());
    if (load.coldStart()) {
      curves.add(cold);
      slots.add(config.coldStartMaxBatch());
    } else {
      for (WorkerLoad w : load.workers()) {
        curves.add(w.curve().orElse(cold));
        slots.add(w.maxBatch());
      }
    }

    double tightest = Double.POSITIVE_INFINITY;
    for (PriorityClass c : PriorityClass.values()) {
      if (load.arrivalRates().get(c) > 0) {
        ClassTarget t = config.target(c);
        tightest =
            Math.min(
                tightest,
                RecurrenceBudgetPolicy.seconds(t.latencyTarget()) * (1 - t.safetyMargin())
                    - RecurrenceBudgetPolicy.seconds(config.dispatchDelay()));
      }
    }

    double perWorker = 0;
    for (int i = 0; i < curves.size(); i++) {
      StepTimeCurve curve = curves.get(i);
      int b = 1;
      for (int candidate = slots.get(i); candidate >= 1; candidate--) {
        if (work * curve.secondsPerStep(candidate) <= tightest) {
          b = candidate;
          break;
        }
      }
      perWorker += curve.stepsPerSecond(b);
    }
    perWorker /= curves.size();
    double needed = rate * work / (config.targetUtilization() * perWorker);
    return clamp((int) Math.min(Integer.MAX_VALUE, Math.ceil(needed)), config);
  }

  private static int clamp(int replicas, PolicyConfig config) {
    return Math.max(config.minReplicas(), Math.min(config.maxReplicas(), replicas));
  }
}
