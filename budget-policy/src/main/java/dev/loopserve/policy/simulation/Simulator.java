package dev.loopserve.policy.simulation;

import dev.loopserve.policy.BudgetPolicy;
import dev.loopserve.policy.Decision;
import dev.loopserve.policy.LoadTracker;
import dev.loopserve.policy.ModelProfile;
import dev.loopserve.policy.PolicyConfig;
import dev.loopserve.policy.PriorityClass;
import dev.loopserve.policy.RequestParams;
import dev.loopserve.policy.WorkerSample;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * A deterministic discrete-event simulation of one model's fleet under a budget policy.
 *
 * <p>Requests arrive by the trace; the scheduler decides each one's budget on arrival from a {@link
 * LoadTracker} snapshot (no scheduler delay) and reports the assignment; requests wait in one FIFO
 * queue (a consumer group shares one topic); a worker with a free slot takes the head of the queue
 * when it is idle or at its next iteration boundary, and reports it started; finished requests are
 * reported completed. Workers send heartbeats with their smoothed step time at their current batch
 * size. Everything runs in simulated time from fixed seeds: the same inputs give the same report,
 * and every policy sees the same arrivals.
 */
public final class Simulator {
  private static final int ARRIVAL = 0;
  private static final int ITERATION_END = 1;
  private static final int HEARTBEAT = 2;
  private static final int SAMPLE = 3;
  private static final long SECOND = 1_000_000_000L;

  private final FleetSpec fleet;
  private final ModelProfile profile;
  private final PolicyConfig config;
  private final AccuracyCurve accuracy;
  private final Workload workload;
  private final long seed;

  public Simulator(
      FleetSpec fleet,
      ModelProfile profile,
      PolicyConfig config,
      AccuracyCurve accuracy,
      Workload workload,
      long seed) {
    this.fleet = Objects.requireNonNull(fleet, "fleet");
    this.profile = Objects.requireNonNull(profile, "profile");
    this.config = Objects.requireNonNull(config, "config");
    this.accuracy = Objects.requireNonNull(accuracy, "accuracy");
    this.workload = Objects.requireNonNull(workload, "workload");
    this.seed = seed;
  }

  /** Requests per second the fleet sustains at full batch when every request runs at r. */
  public double capacityAt(int r) {
    return fleet.capacity(workload.tokensPerRequest() * (r + fleet.overheadStepsPerToken()));
  }

  /** Runs the trace to completion (every request finished) under a fresh policy. */
  public RunReport run(String policyName, Trace trace, Supplier<BudgetPolicy> policyFactory) {
    return new Run(policyName, trace, policyFactory.get()).execute();
  }

  private record Event(long time, long seq, int kind, int worker) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private static final class Job {
    final int index;
    final String id;
    final long arrival;
    int remaining;

    Job(int index, long arrival, int remaining) {
      this.index = index;
      this.id = "req-" + index;
      this.arrival = arrival;
      this.remaining = remaining;
    }
  }

  private static final class Worker {
    final int index;
    final String id;
    final SplittableRandom noise;
    final List<Job> active = new ArrayList<>();
    final double[] ewma;
    boolean busy;
    int lastBatch;

    Worker(int index, int maxBatch, SplittableRandom noise) {
      this.index = index;
      this.id = String.format("worker-%02d", index);
      this.noise = noise;
      this.ewma = new double[maxBatch + 1];
    }
  }

  private final class Run {
    private final String policyName;
    private final Trace trace;
    private final BudgetPolicy policy;
    private final SimClock clock = new SimClock();
    private final LoadTracker tracker;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final Worker[] workers;
    private final long[] arrivals;
    private final PriorityClass[] classes;
    private final double[] latency;
    private final int[] steps;
    private final boolean[] degraded;
    private long seq;
    private int nextArrival;
    private int done;
    private final List<Integer> wanted = new ArrayList<>();

    Run(String policyName, Trace trace, BudgetPolicy policy) {
      this.policyName = policyName;
      this.trace = trace;
      this.policy = policy;
      Duration hb = fleet.heartbeatInterval();
      this.tracker =
          LoadTracker.builder(clock)
              .heartbeatTimeout(hb.multipliedBy(10))
              .stepTimeSmoothing(Duration.ofSeconds(1))
              .rateWindow(Duration.ofSeconds(1))
              .build();
      this.arrivals = trace.arrivals(new SplittableRandom(seed));
      SplittableRandom classRandom = new SplittableRandom(seed ^ 0x5DEECE66DL);
      this.classes = new PriorityClass[arrivals.length];
      for (int i = 0; i < arrivals.length; i++) {
        classes[i] = workload.draw(classRandom);
      }
      this.latency = new double[arrivals.length];
      this.steps = new int[arrivals.length];
      this.degraded = new boolean[arrivals.length];
      this.workers = new Worker[fleet.workers()];
      for (int i = 0; i < workers.length; i++) {
        workers[i] = new Worker(i, fleet.maxBatch(), new SplittableRandom(seed * 31 + 1000 + i));
        // Stagger heartbeats so they do not all land on the same instant.
        schedule(hb.toNanos() * i / workers.length, HEARTBEAT, i);
      }
      for (long t = SECOND; t <= (long) (trace.seconds() * SECOND); t += SECOND) {
        schedule(t, SAMPLE, -1);
      }
      if (arrivals.length > 0) {
        schedule(arrivals[0], ARRIVAL, -1);
      }
    }

    RunReport execute() {
      while (done < arrivals.length) {
        Event e = events.poll();
        if (e == null) {
          throw new IllegalStateException("simulation stalled with requests outstanding");
        }
        clock.set(e.time());
        switch (e.kind()) {
          case ARRIVAL -> arrive();
          case ITERATION_END -> endIteration(workers[e.worker()]);
          case HEARTBEAT -> heartbeat(workers[e.worker()]);
          case SAMPLE -> wanted.add(policy.desiredReplicas(tracker.snapshot(profile.model())));
          default -> throw new IllegalStateException("unknown event " + e.kind());
        }
      }
      return report();
    }

    private void schedule(long time, int kind, int worker) {
      events.add(new Event(time, seq++, kind, worker));
    }

    private void arrive() {
      int i = nextArrival++;
      if (nextArrival < arrivals.length) {
        schedule(arrivals[nextArrival], ARRIVAL, -1);
      }
      long now = clock.nanos();
      RequestParams request =
          RequestParams.builder("req-" + i, profile.model())
              .priority(classes[i])
              .submittedAt(SimClock.at(arrivals[i]))
              .maxTokens(workload.tokensPerRequest())
              .build();
      Decision d = policy.decide(request, tracker.snapshot(profile.model()));
      tracker.assigned(request, d);
      steps[i] = d.steps();
      degraded[i] = d.degraded();
      int units =
          (int)
              Math.ceil(
                  workload.tokensPerRequest() * (d.steps() + fleet.overheadStepsPerToken()) - 1e-9);
      queue.add(new Job(i, now, Math.max(1, units)));
      for (Worker w : idleFirst()) {
        if (queue.isEmpty()) {
          break;
        }
        if (!w.busy) {
          fill(w);
          startIteration(w);
        }
      }
    }

    private List<Worker> idleFirst() {
      List<Worker> order = new ArrayList<>(Arrays.asList(workers));
      order.sort((a, b) -> Integer.compare(a.active.size(), b.active.size()));
      return order;
    }

    private void fill(Worker w) {
      while (w.active.size() < fleet.maxBatch() && !queue.isEmpty()) {
        Job j = queue.poll();
        w.active.add(j);
        tracker.started(j.id, w.id);
      }
    }

    private void startIteration(Worker w) {
      if (w.active.isEmpty()) {
        w.busy = false;
        return;
      }
      int b = w.active.size();
      double t = fleet.stepTimes().secondsPerStep(b);
      if (fleet.stepNoise() > 0) {
        double s = fleet.stepNoise();
        t *= Math.exp(s * gaussian(w.noise) - s * s / 2);
      }
      w.busy = true;
      w.lastBatch = b;
      w.ewma[b] = w.ewma[b] == 0 ? t : w.ewma[b] + 0.1 * (t - w.ewma[b]);
      schedule(clock.nanos() + Math.max(1, Math.round(t * 1e9)), ITERATION_END, w.index);
    }

    private void endIteration(Worker w) {
      long now = clock.nanos();
      var it = w.active.iterator();
      while (it.hasNext()) {
        Job j = it.next();
        if (--j.remaining <= 0) {
          it.remove();
          latency[j.index] = (now - j.arrival) / 1e9;
          tracker.completed(j.id);
          done++;
        }
      }
      fill(w);
      startIteration(w);
    }

    private void heartbeat(Worker w) {
      int b = w.lastBatch;
      tracker.heartbeat(
          new WorkerSample(
              w.id,
              profile.model(),
              b > 0 ? w.ewma[b] : 0,
              b,
              fleet.maxBatch(),
              fleet.maxBatch() - w.active.size(),
              0));
      if (done < arrivals.length) {
        schedule(clock.nanos() + fleet.heartbeatInterval().toNanos(), HEARTBEAT, w.index);
      }
    }

    private RunReport report() {
      int n = arrivals.length;
      Map<PriorityClass, int[]> byClass = new EnumMap<>(PriorityClass.class);
      for (PriorityClass c : PriorityClass.values()) {
        byClass.put(c, new int[2]);
      }
      int met = 0;
      int degradedCount = 0;
      double stepSum = 0;
      double accSum = 0;
      for (int i = 0; i < n; i++) {
        double target = seconds(config.target(classes[i]).latencyTarget());
        boolean ok = latency[i] <= target;
        met += ok ? 1 : 0;
        byClass.get(classes[i])[0] += ok ? 1 : 0;
        byClass.get(classes[i])[1]++;
        degradedCount += degraded[i] ? 1 : 0;
        stepSum += steps[i];
        accSum += accuracy.accuracy(steps[i]);
      }
      Map<PriorityClass, Double> shareByClass = new EnumMap<>(PriorityClass.class);
      byClass.forEach((c, a) -> shareByClass.put(c, a[1] == 0 ? Double.NaN : a[0] / (double) a[1]));
      double[] sorted = latency.clone();
      Arrays.sort(sorted);
      return new RunReport(
          policyName,
          trace.name(),
          n,
          n == 0 ? 1 : met / (double) n,
          shareByClass,
          percentile(sorted, 0.50) * 1e3,
          percentile(sorted, 0.95) * 1e3,
          percentile(sorted, 0.99) * 1e3,
          n == 0 ? 0 : stepSum / n,
          n == 0 ? 0 : accSum / n,
          n == 0 ? 0 : degradedCount / (double) n,
          wanted.isEmpty() ? 0 : wanted.stream().sorted().toList().get(wanted.size() / 2),
          wanted.stream().mapToInt(Integer::intValue).max().orElse(0));
    }
  }

  private static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
  private static double gaussian(SplittableRandom r) {
    double u1 = 1 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
