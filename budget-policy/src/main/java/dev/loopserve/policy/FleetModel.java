package dev.loopserve.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Latency and throughput predictions for one snapshot. The queueing model, in step units:
 *
 * <ul>
 *   <li>A worker with b of its B slots busy runs one iteration in t(b) seconds and moves each of
 *       the b requests one unit on, so it delivers b / t(b) units/s. Full fleet throughput is mu =
 *       sum of B_w / t_w(B_w).
 *   <li>Wait: with a free slot (outstanding + 1 <= total slots) a new request starts at once.
 *       Otherwise it starts when enough work has drained that one slot frees, while the other S - 1
 *       slots still hold partly done requests: wait = max(0, workAhead - residualShare * (S - 1) *
 *       meanWork) / mu.
 *   <li>Own service: work * t(b) where b is the batch the request will share, projected from what
 *       is outstanding and, by Little's law, from the arrival rate times the service time (later
 *       arrivals join the batch and slow every member of it).
 * </ul>
 *
 * <p>A worker without a step-time figure, and a fleet with no live worker, get the configured
 * pessimistic cold-start guess.
 */
final class FleetModel {
  private final List<StepTimeCurve> curves = new ArrayList<>();
  private final List<Integer> slots = new ArrayList<>();
  private final int totalSlots;
  private final double fullRate;
  private final double waitSeconds;
  private final double arrivalRate;
  private final int outstanding;

  FleetModel(LoadSnapshot load, PolicyConfig config) {
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
    int s = 0;
    double mu = 0;
    for (int i = 0; i < curves.size(); i++) {
      s += slots.get(i);
      mu += curves.get(i).stepsPerSecond(slots.get(i));
    }
    totalSlots = s;
    fullRate = mu;
    outstanding = load.outstandingRequests();
    arrivalRate = load.totalArrivalRate();
    if (outstanding + 1 <= totalSlots) {
      waitSeconds = 0;
    } else {
      double stillRunning = config.residualShare() * (totalSlots - 1) * load.meanRequestWork();
      waitSeconds = Math.max(0, load.workAhead() - stillRunning) / fullRate;
    }
  }

  /** Seconds until a new request would get a batch slot. */
  double waitSeconds() {
    return waitSeconds;
  }

  /** Full-batch fleet throughput, step units per second. */
  double fullRate() {
    return fullRate;
  }

  /** Seconds to run {@code work} step units once started. */
  double serviceSeconds(double work) {
    int workers = curves.size();
    int b = clampBatch((int) Math.ceil((outstanding + 1) / (double) workers));
    double t = meanSecondsPerStep(b);
    // The projected batch grows with the service time it causes; iterate to the fixed point.
    for (int i = 0; i < 16; i++) {
      double concurrent = Math.max(outstanding + 1, arrivalRate * work * t);
      int next = clampBatch((int) Math.ceil(concurrent / workers));
      if (next == b) {
        break;
      }
      b = next;
      t = meanSecondsPerStep(b);
    }
    return work * t;
  }

  /**
   * Share of full throughput the fleet would run at if every arrival cost {@code work}; infinite
   * when the fleet has no throughput.
   */
  double utilization(double work) {
    return arrivalRate * work / fullRate;
  }

  private int clampBatch(int b) {
    int most = 1;
    for (int s : slots) {
      most = Math.max(most, s);
    }
    return Math.max(1, Math.min(most, b));
  }

  private double meanSecondsPerStep(int b) {
    double sum = 0;
    for (int i = 0; i < curves.size(); i++) {
      sum += curves.get(i).secondsPerStep(Math.min(b, slots.get(i)));
    }
    return sum / curves.size();
  }
}
