package dev.loopserve.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The load on one model's fleet at one instant, as the policy sees it. Usually taken from {@link
 * LoadTracker#snapshot(String)}; tests and simulations may build one directly.
 *
 * <p>Work is in step units (see {@link CostModel}). Queue contents are counted, not measured, so
 * they are exact and unsmoothed; measured quantities (step times, arrival rates) are smoothed by
 * the tracker.
 *
 * @param model model name
 * @param at the instant the snapshot describes; the policy's notion of "now"
 * @param workers live workers (heartbeat within the timeout), in a stable order
 * @param outstandingRequests requests assigned and not completed (queued or running), plus consumer
 *     lag beyond what was assigned through this tracker
 * @param runningRequests of those, requests a worker has started
 * @param workAhead remaining work of the outstanding requests, step units
 * @param meanRequestWork mean full work of one outstanding or recent request, step units; 0 when
 *     nothing is known
 * @param arrivalRates smoothed assignment rate per priority class, requests per second
 * @param meanDefaultWork smoothed work a recent request would cost at the model's default budget,
 *     step units; 0 when nothing is known
 */
public record LoadSnapshot(
    String model,
    Instant at,
    List<WorkerLoad> workers,
    int outstandingRequests,
    int runningRequests,
    double workAhead,
    double meanRequestWork,
    Map<PriorityClass, Double> arrivalRates,
    double meanDefaultWork) {

  public LoadSnapshot {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(at, "at");
    workers = List.copyOf(workers);
    if (outstandingRequests < 0 || runningRequests < 0 || runningRequests > outstandingRequests) {
      throw new IllegalArgumentException("need 0 <= runningRequests <= outstandingRequests");
    }
    if (!(workAhead >= 0) || !(meanRequestWork >= 0) || !(meanDefaultWork >= 0)) {
      throw new IllegalArgumentException("work figures must be >= 0");
    }
    EnumMap<PriorityClass, Double> rates = new EnumMap<>(PriorityClass.class);
    for (PriorityClass c : PriorityClass.values()) {
      double r = arrivalRates.getOrDefault(c, 0.0);
      if (!(r >= 0) || Double.isInfinite(r)) {
        throw new IllegalArgumentException("arrival rates must be finite and >= 0");
      }
      rates.put(c, r);
    }
    arrivalRates = Map.copyOf(rates);
  }

  /** No live worker has reported: the policy has no capacity figures. */
  public boolean coldStart() {
    return workers.isEmpty();
  }

  /** Batch slots over all live workers. */
  public int totalSlots() {
    return workers.stream().mapToInt(WorkerLoad::maxBatch).sum();
  }

  /** Smoothed arrivals over all classes, requests per second. */
  public double totalArrivalRate() {
    return arrivalRates.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  public static Builder builder(String model, Instant at) {
    return new Builder(model, at);
  }

  /** Builds a snapshot by hand (tests, simulations, other trackers). */
  public static final class Builder {
    private final String model;
    private final Instant at;
    private final List<WorkerLoad> workers = new ArrayList<>();
    private int outstanding;
    private int running;
    private double workAhead;
    private double meanRequestWork;
    private final Map<PriorityClass, Double> rates = new EnumMap<>(PriorityClass.class);
    private double meanDefaultWork;

    private Builder(String model, Instant at) {
      this.model = model;
      this.at = at;
    }

    public Builder worker(WorkerLoad worker) {
      workers.add(worker);
      return this;
    }

    public Builder outstanding(int requests, int running, double workAhead, double meanWork) {
      this.outstanding = requests;
      this.running = running;
      this.workAhead = workAhead;
      this.meanRequestWork = meanWork;
      return this;
    }

    public Builder arrivalRate(PriorityClass priority, double perSecond) {
      rates.put(priority, perSecond);
      return this;
    }

    public Builder meanDefaultWork(double work) {
      this.meanDefaultWork = work;
      return this;
    }

    public LoadSnapshot build() {
      return new LoadSnapshot(
          model,
          at,
          workers,
          outstanding,
          running,
          workAhead,
          meanRequestWork,
          rates,
          meanDefaultWork);
    }
  }
}
