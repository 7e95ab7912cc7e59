package dev.loopserve.inference.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.loopserve.inference.model.LoadedModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Depth-wise continuous batching. Requests at different recurrence steps, token positions and
 * sequence lengths share every graph call: each tick runs one prelude call for the rows starting a
 * token, one core call for every row that is recurring, and one coda call for the rows that need
 * logits (to finish a token, or to probe the KL criterion). A row whose token exits leaves the core
 * batch at once; a request that arrives joins at the next tick; nobody waits for the slowest row.
 *
 * <p>Each row computes only its pending positions (a prompt being prefilled, or the one token being
 * decoded) against its own KV cache, and rows are left-padded to the most pending positions and the
 * longest past of each call with the mask and position ids the contract prescribes, and every
 * per-request decision lives in {@link Sequence}, so a request's output does not depend on what it
 * was batched with.
 *
 * <p>One engine thread decides; with {@code parallelism} above 1, the chunks of a step run on that
 * many threads at once.
 */
public final class BatchEngine implements InferenceEngine {

  private static final Logger log = LoggerFactory.getLogger(BatchEngine.class);

  /** The fixed cost of one graph call, in padded positions of work it is worth. */
  private static final long CALL_OVERHEAD_POSITIONS = 24;

  private final LoadedModel model;
  private final BlockingQueue<GraphRunner> runners;
  private final ExecutorService pool;
  private final int parallelism;
  private final int maxBatch;
  private final long batchWaitNanos;
  private final int maxCallPositions;
  private final EngineMetrics metrics;
  private final LongSupplier nanoTime;
  private final LongSupplier epochMillis;

  private final LinkedBlockingQueue<Row> incoming = new LinkedBlockingQueue<>();
  private final List<Row> active = new ArrayList<>();
  private final Thread thread;
  private volatile boolean accepting = true;
  private volatile boolean abandonAll;
  private volatile int activeCount;
  private volatile double secondsPerStep;

  /** A ticket and, once admitted, its decoding state. */
  private static final class Row {
    final Ticket ticket;
    final TokenListener listener;
    Sequence sequence;
    boolean failed;

    Row(Ticket ticket, TokenListener listener) {
      this.ticket = ticket;
      this.listener = listener;
    }
  }

  private BatchEngine(Builder b) {
    this.model = b.model;
    this.parallelism = b.parallelism;
    this.runners = new ArrayBlockingQueue<>(parallelism);
    for (int i = 0; i < parallelism; i++) {
      runners.add(new GraphRunner(b.env, b.model));
    }
    // The engine thread runs one chunk itself; the pool runs the others.
    this.pool =
        Executors.newFixedThreadPool(
            Math.max(1, parallelism - 1),
            r -> {
              Thread t = new Thread(r, "batch-worker-" + b.model.name());
              t.setDaemon(true);
              return t;
            });
    this.maxBatch = b.maxBatch;
    this.batchWaitNanos = b.batchWait.toNanos();
    this.maxCallPositions = b.maxCallPositions;
    this.metrics = b.metrics != null ? b.metrics : EngineMetrics.discard(b.model.name());
    this.nanoTime = b.nanoTime;
    this.epochMillis = b.epochMillis;
    this.thread = new Thread(this::loop, "batch-engine-" + model.name());
    this.thread.setDaemon(true);
    this.thread.start();
  }

  public static Builder builder(OrtEnvironment env, LoadedModel model) {
    return new Builder(env, model);
  }

  @Override
  public Ticket submit(GenerationRequest request, TokenListener listener) {
    if (!accepting) {
      throw new IllegalStateException("engine for " + model.name() + " is shut down");
    }
    Ticket ticket = new Ticket(request, nanoTime.getAsLong());
    incoming.add(new Row(ticket, safe(listener, request.id())));
    return ticket;
  }

  @Override
  public EngineStats stats() {
    return new EngineStats(activeCount, maxBatch, incoming.size(), secondsPerStep);
  }

  @Override
  public void shutdown(long graceMillis) throws InterruptedException {
    accepting = false;
    thread.join(Math.max(1, graceMillis));
    abandonAll = true;
    thread.join();
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    runners.forEach(GraphRunner::close);
  }

  private void loop() {
    try {
      while (!abandonAll && (accepting || !incoming.isEmpty() || !active.isEmpty())) {
        admit();
        if (active.isEmpty()) {
          continue;
        }
        tick();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      log.error("Engine of {} died; failing its requests", model.name(), e);
      failAll("engine error: " + e);
      throw e;
    }
    for (Row row : active) {
      row.ticket.abandon();
    }
    incoming.forEach(r -> r.ticket.abandon());
    active.clear();
    activeCount = 0;
  }

  /** Moves waiting requests into the batch; blocks briefly only when there is nothing to run. */
  private void admit() throws InterruptedException {
    if (active.isEmpty()) {
      Row first = incoming.poll(50, TimeUnit.MILLISECONDS);
      if (first == null) {
        return;
      }
      start(first);
    }
    long waitUntil = nanoTime.getAsLong() + batchWaitNanos;
    while (active.size() < maxBatch) {
      Row next = incoming.poll();
      if (next == null && batchWaitNanos > 0) {
        long left = waitUntil - nanoTime.getAsLong();
        next = left > 0 ? incoming.poll(left, TimeUnit.NANOSECONDS) : null;
      }
      if (next == null) {
        break;
      }
      start(next);
    }
  }

  private void start(Row row) {
    Ticket ticket = row.ticket;
    if (ticket.abandoned()) {
      return;
    }
    metrics.queueWait(nanoTime.getAsLong() - ticket.submittedNanos());
    ticket.started(epochMillis.getAsLong());
    try {
      row.sequence = new Sequence(model, ticket.request(), row.listener);
    } catch (IllegalArgumentException e) {
      ticket.complete(SequentialGenerator.failed(e.getMessage()));
      return;
    }
    active.add(row);
    activeCount = active.size();
  }

  /** One depth step for every row in the batch. */
  private void tick() {
    dropStopped();
    if (parallelism > 1) {
      overlappedStep();
    } else {
      List<Row> prelude = rows(Sequence.Phase.PRELUDE);
      runAll(List.of(new Job(prelude, Graph.PRELUDE)));
      afterPrelude(prelude);
      List<Row> core = rows(Sequence.Phase.CORE);
      timedCore(List.of(new Job(core, Graph.CORE)), core);
      List<Row> coda = rows(Sequence.Phase.CODA);
      runAll(List.of(new Job(coda, Graph.CODA)));
      afterCoda(coda);
    }
    List<Row> done = new ArrayList<>();
    for (Iterator<Row> it = active.iterator(); it.hasNext(); ) {
      Row row = it.next();
      if (row.sequence.phase == Sequence.Phase.DONE) {
        it.remove();
        done.add(row);
      }
    }
    activeCount = active.size(); // before completing, so a caller woken by a result sees it
    done.forEach(row -> row.ticket.complete(row.sequence.result()));
  }

  /**
   * One step with the small prelude and coda calls packed next to core calls, so no worker idles
   * while another embeds two rows: first the prelude of the rows starting a token together with the
   * core step of the rows already recurring, then the new rows' first core step together with the
   * coda of the rows that just exited. Every row still takes exactly one core step.
   */
  private void overlappedStep() {
    List<Row> starting = rows(Sequence.Phase.PRELUDE);
    List<Row> recurring = rows(Sequence.Phase.CORE);
    recurring.forEach(r -> r.sequence.beforeCore());
    long started = nanoTime.getAsLong();
    runAll(List.of(new Job(starting, Graph.PRELUDE), new Job(recurring, Graph.CORE)));
    afterPrelude(starting);
    afterCore(recurring);
    List<Row> fresh = new ArrayList<>();
    for (Row r : starting) {
      if (!r.failed && r.sequence.phase == Sequence.Phase.CORE) {
        fresh.add(r);
      }
    }
    fresh.forEach(r -> r.sequence.beforeCore());
    List<Row> exited = rows(Sequence.Phase.CODA);
    runAll(List.of(new Job(fresh, Graph.CORE), new Job(exited, Graph.CODA)));
    afterCore(fresh);
    afterCoda(exited);
    recordStep(recurring.size() + fresh.size(), started);
    List<Row> quick = rows(Sequence.Phase.CODA); // rows of fresh that exit after one step
    runAll(List.of(new Job(quick, Graph.CODA)));
    afterCoda(quick);
  }

  private void timedCore(List<Job> jobs, List<Row> core) {
    core.forEach(r -> r.sequence.beforeCore());
    long started = nanoTime.getAsLong();
    runAll(jobs);
    afterCore(core);
    recordStep(core.size(), started);
  }

  private void recordStep(int rows, long startedNanos) {
    if (rows == 0) {
      return;
    }
    metrics.occupancy(rows);
    double seconds = (nanoTime.getAsLong() - startedNanos) / 1e9;
    secondsPerStep = secondsPerStep == 0 ? seconds : 0.8 * secondsPerStep + 0.2 * seconds;
  }

  private static void afterPrelude(List<Row> rows) {
    for (Row r : rows) {
      if (!r.failed) {
        r.sequence.afterPrelude();
      }
    }
  }

  private static void afterCore(List<Row> rows) {
    for (Row r : rows) {
      if (!r.failed) {
        r.sequence.afterCore();
      }
    }
  }

  private void afterCoda(List<Row> rows) {
    for (Row r : rows) {
      if (r.failed) {
        continue;
      }
      int before = r.sequence.stepsRecorded();
      r.sequence.afterCoda();
      if (r.sequence.stepsRecorded() > before) {
        metrics.token(r.sequence.lastSteps(), r.sequence.lastExit());
      }
    }
  }

  /** Rows that go through one graph. */
  private record Job(List<Row> rows, Graph graph) {}

  /** A chunk of a job: one graph call. */
  private record Call(List<Row> rows, Graph graph) {}

  private enum Graph {
    PRELUDE,
    CORE,
    CODA
  }

  /**
   * Runs the jobs' rows through their graphs on up to {@code parallelism} threads at once. Each
   * job's rows are cut into calls of similar lengths (see {@link #chunks}), so calls pad little and
   * stay within {@code maxCallPositions}, past which activations leave the CPU caches and a bigger
   * call gets slower per position, not faster. The biggest calls are split until every worker has
   * one, and calls go longest first to the least loaded worker: parallel single-threaded calls
   * scale across cores where one multi-threaded call over a small batch does not. A failed call
   * fails its rows only.
   */
  private void runAll(List<Job> jobs) {
    List<Call> calls = new ArrayList<>();
    for (Job job : jobs) {
      for (List<Row> chunk : chunks(job.rows)) {
        calls.add(new Call(chunk, job.graph));
      }
    }
    if (calls.isEmpty()) {
      return;
    }
    // Give every worker a call, splitting the biggest ones while rows allow.
    while (calls.size() < parallelism) {
      Call biggest = null;
      for (Call c : calls) {
        if (c.rows.size() > 1 && (biggest == null || cost(c) > cost(biggest))) {
          biggest = c;
        }
      }
      if (biggest == null) {
        break;
      }
      calls.remove(biggest);
      int half = biggest.rows.size() / 2;
      calls.add(new Call(biggest.rows.subList(0, half), biggest.graph));
      calls.add(new Call(biggest.rows.subList(half, biggest.rows.size()), biggest.graph));
    }
    // Longest first onto the least loaded lane; lane 0 is this thread, the others the pool's.
    calls.sort((a, b) -> Long.compare(cost(b), cost(a)));
    int laneCount = Math.min(parallelism, calls.size());
    List<List<Call>> lanes = new ArrayList<>(laneCount);
    long[] load = new long[laneCount];
    for (int i = 0; i < laneCount; i++) {
      lanes.add(new ArrayList<>());
    }
    for (Call call : calls) {
      int lane = 0;
      for (int i = 1; i < laneCount; i++) {
        if (load[i] < load[lane]) {
          lane = i;
        }
      }
      lanes.get(lane).add(call);
      load[lane] += cost(call);
    }
    List<Future<List<Outcome>>> pending = new ArrayList<>(laneCount - 1);
    for (int i = 1; i < laneCount; i++) {
      List<Call> lane = lanes.get(i);
      pending.add(pool.submit(() -> runLane(lane)));
    }
    settleLane(lanes.get(0), runLane(lanes.get(0)));
    for (int i = 1; i < laneCount; i++) {
      List<Outcome> outcomes;
      try {
        outcomes = pending.get(i - 1).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcomes = failedLane(lanes.get(i), e);
      } catch (ExecutionException e) {
        outcomes = failedLane(lanes.get(i), e);
      }
      settleLane(lanes.get(i), outcomes);
    }
  }

  /** The nanos a call took, or why it failed. */
  private record Outcome(long nanos, Exception error) {}

  private List<Outcome> runLane(List<Call> lane) {
    List<Outcome> outcomes = new ArrayList<>(lane.size());
    for (Call call : lane) {
      try {
        outcomes.add(new Outcome(execute(call.rows, call.graph), null));
      } catch (Exception e) {
        outcomes.add(new Outcome(0, e));
      }
    }
    return outcomes;
  }

  private static List<Outcome> failedLane(List<Call> lane, Exception e) {
    List<Outcome> outcomes = new ArrayList<>(lane.size());
    lane.forEach(call -> outcomes.add(new Outcome(0, e)));
    return outcomes;
  }

  private void settleLane(List<Call> lane, List<Outcome> outcomes) {
    for (int i = 0; i < lane.size(); i++) {
      Outcome outcome = outcomes.get(i);
      settle(
          lane.get(i).rows,
          lane.get(i).graph,
          () -> {
            if (outcome.error != null) {
              throw outcome.error;
            }
            return outcome.nanos;
          });
    }
  }

  private static long cost(Call call) {
    long longest = 0;
    for (Row r : call.rows) {
      longest = Math.max(longest, r.sequence.pending());
    }
    long padded = CALL_OVERHEAD_POSITIONS + longest * call.rows.size();
    return call.graph == Graph.CORE ? 2 * padded : padded; // the core has twice the layers
  }

  /**
   * Cuts rows into calls of similar lengths, a row's length being the positions it computes: its
   * prompt while prefilling, 1 while decoding, so decoding rows share calls and prompts share calls
   * with prompts of similar length. Sorted by length, the cut that minimises padded positions plus
   * a fixed cost per call (a call costs about as much as {@link #CALL_OVERHEAD_POSITIONS} more
   * positions, as measured on the demo model) is found exactly by dynamic programming over the cut
   * points; no call exceeds {@code maxCallPositions} unless it holds a single row.
   */
  private List<List<Row>> chunks(List<Row> rows) {
    if (rows.size() <= 1) {
      return rows.isEmpty() ? List.of() : List.of(rows);
    }
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort((a, b) -> Integer.compare(b.sequence.pending(), a.sequence.pending()));
    int n = sorted.size();
    long[] best = new long[n + 1];
    int[] next = new int[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      long longest = sorted.get(i).sequence.pending();
      best[i] = Long.MAX_VALUE;
      for (int j = i + 1; j <= n; j++) {
        long padded = (j - i) * longest;
        if (j > i + 1 && padded > maxCallPositions) {
          break;
        }
        long total = CALL_OVERHEAD_POSITIONS + padded + best[j];
        if (total < best[i]) {
          best[i] = total;
          next[i] = j;
        }
      }
    }
    List<List<Row>> out = new ArrayList<>();
    for (int i = 0; i < n; i = next[i]) {
      out.add(sorted.subList(i, next[i]));
    }
    return out;
  }

  @FunctionalInterface
  private interface CallResult {
    long get() throws Exception;
  }

  /** One batched call on a runner borrowed for its duration; returns the call's nanos. */
  private long execute(List<Row> rows, Graph graph) throws OrtException, InterruptedException {
    List<Sequence> sequences = new ArrayList<>(rows.size());
    for (Row r : rows) {
      sequences.add(r.sequence);
    }
    GraphRunner runner = runners.take();
    try {
      return switch (graph) {
        case PRELUDE -> runner.prelude(sequences);
        case CORE -> runner.core(sequences);
        case CODA -> runner.coda(sequences);
      };
    } finally {
      runners.add(runner);
    }
  }

  /** Books a finished call on the engine thread; on failure fails its rows, returns false. */
  private boolean settle(List<Row> rows, Graph graph, CallResult call) {
    try {
      long nanos = call.get();
      long totalLength = 0;
      for (Row r : rows) {
        totalLength += r.sequence.pending();
      }
      for (Row r : rows) {
        r.sequence.computeNanos += nanos * r.sequence.pending() / totalLength;
      }
      switch (graph) {
        case PRELUDE -> metrics.prelude(nanos);
        case CORE -> metrics.core(nanos, rows.size());
        case CODA -> metrics.coda(nanos);
      }
      return true;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      log.warn("{} call for {} rows of {} failed", graph, rows.size(), model.name(), cause);
      for (Row r : rows) {
        r.failed = true;
        active.remove(r);
        r.ticket.complete(
            r.sequence.result(
                GenerationResult.Status.FAILED, "ONNX Runtime: " + cause.getMessage()));
      }
      return false;
    }
  }

  private List<Row> rows(Sequence.Phase phase) {
    List<Row> out = new ArrayList<>();
    for (Row r : active) {
      if (r.sequence.phase == phase) {
        out.add(r);
      }
    }
    return out;
  }

  /** Cancelled rows leave with what they have; abandoned ones leave silently. */
  private void dropStopped() {
    for (Iterator<Row> it = active.iterator(); it.hasNext(); ) {
      Row row = it.next();
      if (row.ticket.abandoned()) {
        it.remove();
      } else if (row.ticket.cancelled()) {
        it.remove();
        row.ticket.complete(row.sequence.result(GenerationResult.Status.CANCELLED, null));
      }
    }
  }

  private void failAll(String error) {
    for (Row row : active) {
      row.ticket.complete(row.sequence.result(GenerationResult.Status.FAILED, error));
    }
    active.clear();
  }

  private static TokenListener safe(TokenListener listener, String id) {
    return token -> {
      try {
        listener.onToken(token);
      } catch (RuntimeException e) {
        log.warn("Token listener of {} failed", id, e);
      }
    };
  }

  /** Validating builder; see the setters for units. */
  public static final class Builder {
    private final OrtEnvironment env;
    private final LoadedModel model;
    private int maxBatch = 16;
    private Duration batchWait = Duration.ZERO;
    private int maxCallPositions = 512;
    private int parallelism = 1;
    private EngineMetrics metrics;
    private LongSupplier nanoTime = System::nanoTime;
    private LongSupplier epochMillis = System::currentTimeMillis;

    private Builder(OrtEnvironment env, LoadedModel model) {
      this.env = Objects.requireNonNull(env, "env");
      this.model = Objects.requireNonNull(model, "model");
    }

    /** The most requests that share a graph call; at least 1. */
    public Builder maxBatch(int maxBatch) {
      if (maxBatch < 1) {
        throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
      }
      this.maxBatch = maxBatch;
      return this;
    }

    /**
     * How long a tick may wait for more requests while the batch is not full; zero (the default)
     * never delays a running request.
     */
    public Builder batchWait(Duration batchWait) {
      if (batchWait.isNegative()) {
        throw new IllegalArgumentException("batchWait must be >= 0, was " + batchWait);
      }
      this.batchWait = batchWait;
      return this;
    }

    /**
     * The most padded positions (rows × longest row) one graph call may hold; a batch bigger than
     * that is split into several calls of similar-length rows. At least 1.
     */
    public Builder maxCallPositions(int maxCallPositions) {
      if (maxCallPositions < 1) {
        throw new IllegalArgumentException(
            "maxCallPositions must be >= 1, was " + maxCallPositions);
      }
      this.maxCallPositions = maxCallPositions;
      return this;
    }

    /**
     * How many graph calls run at the same time, each on its own thread, when a batch splits into
     * several chunks; usually the number of cores, with single-threaded sessions. At least 1.
     */
    public Builder parallelism(int parallelism) {
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
      }
      this.parallelism = parallelism;
      return this;
    }

    public Builder metrics(EngineMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Monotonic clock in nanoseconds, for queue wait. */
    public Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /** Wall clock in epoch milliseconds, for the started-at timing. */
    public Builder epochMillis(LongSupplier epochMillis) {
      this.epochMillis = Objects.requireNonNull(epochMillis, "epochMillis");
      return this;
    }

    public BatchEngine build() {
      return new BatchEngine(this);
    }
  }
}
