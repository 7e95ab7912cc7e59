package dev.loopserve.policy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps the load picture the policy decides on: which workers are alive and how fast they step,
 * which requests are assigned and not yet completed, and how fast requests arrive.
 *
 * <p>Feed it from the message streams: {@link #heartbeat} from {@code WorkerHeartbeat}, {@link
 * #assigned} for every budget handed out, {@link #started} from the {@code running} status update,
 * {@link #completed} from the final {@code InferenceResult}, and {@link #consumerLag} from the
 * inference consumer group's lag. Every call is idempotent by request id, so at-least- once
 * delivery is fine. Then {@link #snapshot} gives the policy its input.
 *
 * <p>Contracts: times come from the injected {@link Clock} (receipt time, so worker clock skew does
 * not matter); a worker whose last heartbeat is older than the heartbeat timeout is not in
 * snapshots; an assignment never completed is forgotten after the assignment timeout, so lost
 * results cannot inflate the load for ever. Step times are smoothed per worker and batch size with
 * a time-based EWMA; arrival rates with an exponentially decaying window. Thread-safe (one lock;
 * every call is short).
 */
public final class LoadTracker {
  private static final int RECENTLY_COMPLETED = 65_536;

  private final Clock clock;
  private final long heartbeatTimeout;
  private final long stepTimeSmoothing;
  private final long rateWindow;
  private final long assignmentTimeout;

  private final Map<String, ModelState> models = new HashMap<>();
  private final Map<String, WorkerState> workers = new HashMap<>();
  // Insertion order is assignment order, so expiry only looks at the head.
  private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
  private final Set<String> recentlyCompleted =
      java.util.Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > RECENTLY_COMPLETED;
            }
          });

  private LoadTracker(Builder b) {
    this.clock = b.clock;
    this.heartbeatTimeout = b.heartbeatTimeout.toNanos();
    this.stepTimeSmoothing = b.stepTimeSmoothing.toNanos();
    this.rateWindow = b.rateWindow.toNanos();
    this.assignmentTimeout = b.assignmentTimeout.toNanos();
  }

  public static Builder builder(Clock clock) {
    return new Builder(clock);
  }

  /** Records a heartbeat; the worker is live until the heartbeat timeout passes without another. */
  public synchronized void heartbeat(WorkerSample sample) {
    long now = now();
    WorkerState w = workers.computeIfAbsent(sample.workerId(), id -> new WorkerState());
    w.model = sample.model();
    w.maxBatch = sample.maxBatch();
    w.batchSize = sample.batchSize();
    w.lastSeen = now;
    if (sample.hasStepTime()) {
      w.stepTimes
          .computeIfAbsent(sample.batchSize(), b -> new Ewma(stepTimeSmoothing))
          .update(now, sample.secondsPerStep());
    }
  }

  /**
   * Records that a request was given a budget and sent to the model's workers.
   *
   * @param workSteps its expected work at the chosen budget, step units ({@link
   *     Decision#workSteps()})
   * @param defaultWorkSteps its expected work at the model's default budget ({@link
   *     Decision#defaultWorkSteps()})
   */
  public synchronized void assigned(
      String requestId,
      String model,
      PriorityClass priority,
      double workSteps,
      double defaultWorkSteps) {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(priority, "priority");
    if (!(workSteps >= 0) || !(defaultWorkSteps >= 0)) {
      throw new IllegalArgumentException("work must be >= 0");
    }
    if (pending.containsKey(requestId) || recentlyCompleted.contains(requestId)) {
      return;
    }
    long now = now();
    Pending p = new Pending(requestId, model, workSteps, now);
    pending.put(requestId, p);
    ModelState m = model(model);
    m.queuedCount++;
    m.queuedWork += workSteps;
    m.arrivals.get(priority).add(now, 1);
    m.recentCount.add(now, 1);
    m.recentWork.add(now, workSteps);
    m.recentDefaultWork.add(now, defaultWorkSteps);
  }

  /** {@link #assigned(String, String, PriorityClass, double, double)} from a decision. */
  public void assigned(RequestParams request, Decision decision) {
    assigned(
        request.requestId(),
        request.model(),
        request.priority(),
        decision.workSteps(),
        decision.defaultWorkSteps());
  }

  /** Records that a worker put the request into its batch. Unknown ids are ignored. */
  public synchronized void started(String requestId, String workerId) {
    Pending p = pending.get(requestId);
    if (p == null || p.startedAt != Long.MIN_VALUE) {
      return;
    }
    p.startedAt = now();
    p.workerId = workerId;
    ModelState m = model(p.model);
    m.dequeue(p.work);
    m.running.add(p);
  }

  /**
   * Records that a request finished (any final status). Returns false for an unknown or already
   * completed id.
   */
  public synchronized boolean completed(String requestId) {
    Pending p = pending.remove(requestId);
    if (p == null) {
      return false;
    }
    recentlyCompleted.add(requestId);
    forget(p);
    return true;
  }

  /**
   * Records the consumer lag of the model's inference group: requests on its topic that no worker
   * has picked up. It matters when it exceeds what this tracker saw assigned (a restarted
   * scheduler, another scheduler replica); the excess is priced at the mean request work.
   */
  public synchronized void consumerLag(String model, long requests) {
    if (requests < 0) {
      throw new IllegalArgumentException("lag must be >= 0");
    }
    ModelState m = model(model);
    m.lag = requests;
    m.lagAt = now();
  }

  /** Models seen so far (heartbeats or assignments). */
  public synchronized Set<String> models() {
    Set<String> names = new LinkedHashSet<>(models.keySet());
    workers.values().forEach(w -> names.add(w.model));
    return names;
  }

  /** The load on {@code model} now. */
  public synchronized LoadSnapshot snapshot(String model) {
    long now = now();
    expire(now);
    ModelState m = models.getOrDefault(model, ModelState.EMPTY);

    List<String> ids = new ArrayList<>();
    for (Map.Entry<String, WorkerState> e : workers.entrySet()) {
      if (model.equals(e.getValue().model) && now - e.getValue().lastSeen <= heartbeatTimeout) {
        ids.add(e.getKey());
      }
    }
    ids.sort(null);
    List<WorkerLoad> live = new ArrayList<>();
    Map<String, WorkerLoad> liveById = new HashMap<>();
    for (String id : ids) {
      WorkerState w = workers.get(id);
      WorkerLoad load =
          new WorkerLoad(id, w.maxBatch, w.batchSize, w.curve(), toInstant(w.lastSeen));
      live.add(load);
      liveById.put(id, load);
    }

    double runningRemaining = 0;
    double runningFull = 0;
    for (Pending p : m.running) {
      runningFull += p.work;
      runningRemaining += remaining(p, liveById.get(p.workerId), now);
    }
    int tracked = m.queuedCount + m.running.size();
    double meanWork;
    if (tracked > 0) {
      meanWork = (m.queuedWork + runningFull) / tracked;
    } else {
      double count = m.recentCount.value(now);
      meanWork = count > 1e-9 ? m.recentWork.value(now) / count : 0;
    }
    long lag = now - m.lagAt <= heartbeatTimeout ? m.lag : 0;
    int extraLag = (int) Math.min(Integer.MAX_VALUE - tracked, Math.max(0, lag - m.queuedCount));
    double workAhead = Math.max(0, m.queuedWork) + extraLag * meanWork + runningRemaining;

    Map<PriorityClass, Double> rates = new EnumMap<>(PriorityClass.class);
    m.arrivals.forEach((c, s) -> rates.put(c, s.ratePerSecond(now)));
    double count = m.recentCount.value(now);
    double meanDefault = count > 1e-9 ? m.recentDefaultWork.value(now) / count : 0;

    return new LoadSnapshot(
        model,
        toInstant(now),
        live,
        tracked + extraLag,
        m.running.size(),
        workAhead,
        meanWork,
        rates,
        meanDefault);
  }

  private static double remaining(Pending p, WorkerLoad worker, long now) {
    if (worker == null || worker.stepTimes() == null) {
      return p.work;
    }
    double t = worker.stepTimes().secondsPerStep(Math.max(1, worker.batchSize()));
    double done = (now - p.startedAt) / 1e9 / t;
    return Math.max(0, p.work - done);
  }

  private void expire(long now) {
    Iterator<Pending> it = pending.values().iterator();
    while (it.hasNext()) {
      Pending p = it.next();
      if (now - p.assignedAt <= assignmentTimeout) {
        break;
      }
      it.remove();
      forget(p);
    }
    workers.values().removeIf(w -> now - w.lastSeen > 10 * heartbeatTimeout);
  }

  private void forget(Pending p) {
    ModelState m = model(p.model);
    if (p.startedAt == Long.MIN_VALUE) {
      m.dequeue(p.work);
    } else {
      m.running.remove(p);
    }
  }

  private ModelState model(String name) {
    return models.computeIfAbsent(name, n -> new ModelState(rateWindow));
  }

  private long now() {
    Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private static Instant toInstant(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  private final class WorkerState {
    String model;
    int maxBatch;
    int batchSize;
    long lastSeen;
    final Map<Integer, Ewma> stepTimes = new TreeMap<>();

    StepTimeCurve curve() {
      Map<Integer, Double> points = new TreeMap<>();
      stepTimes.forEach((b, e) -> points.put(b, e.value()));
      return points.isEmpty() ? null : StepTimeCurve.of(points);
    }
  }

  private static final class Pending {
    final String id;
    final String model;
    final double work;
    final long assignedAt;
    long startedAt = Long.MIN_VALUE;
    String workerId;

    Pending(String id, String model, double work, long assignedAt) {
      this.id = id;
      this.model = model;
      this.work = work;
      this.assignedAt = assignedAt;
    }
  }

  private static final class ModelState {
    static final ModelState EMPTY = new ModelState(1);

    int queuedCount;
    double queuedWork;
    final Set<Pending> running = new LinkedHashSet<>();
    long lag;
    long lagAt = Long.MIN_VALUE / 2;
    final Map<PriorityClass, DecayingSum> arrivals = new EnumMap<>(PriorityClass.class);
    final DecayingSum recentCount;
    final DecayingSum recentWork;
    final DecayingSum recentDefaultWork;

    void dequeue(double work) {
      queuedCount--;
      queuedWork = queuedCount == 0 ? 0 : queuedWork - work; // no float drift left behind
    }

    ModelState(long rateWindow) {
      for (PriorityClass c : PriorityClass.values()) {
        arrivals.put(c, new DecayingSum(rateWindow));
      }
      recentCount = new DecayingSum(rateWindow);
      recentWork = new DecayingSum(rateWindow);
      recentDefaultWork = new DecayingSum(rateWindow);
    }
  }

  /** Builder; every duration must be positive. */
  public static final class Builder {
    private final Clock clock;
    private Duration heartbeatTimeout = Duration.ofSeconds(5);
    private Duration stepTimeSmoothing = Duration.ofSeconds(2);
    private Duration rateWindow = Duration.ofSeconds(2);
    private Duration assignmentTimeout = Duration.ofMinutes(10);

    private Builder(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A worker silent for longer than this drops out of snapshots. Default 5 s. */
    public Builder heartbeatTimeout(Duration d) {
      this.heartbeatTimeout = positive(d, "heartbeatTimeout");
      return this;
    }

    /** Time constant of the step-time EWMA. Default 2 s. */
    public Builder stepTimeSmoothing(Duration d) {
      this.stepTimeSmoothing = positive(d, "stepTimeSmoothing");
      return this;
    }

    /** Time constant of the arrival-rate and mean-work windows. Default 2 s. */
    public Builder rateWindow(Duration d) {
      this.rateWindow = positive(d, "rateWindow");
      return this;
    }

    /** An assignment with no completion is forgotten after this. Default 10 min. */
    public Builder assignmentTimeout(Duration d) {
      this.assignmentTimeout = positive(d, "assignmentTimeout");
      return this;
    }

    public LoadTracker build() {
      return new LoadTracker(this);
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }
  }
}
