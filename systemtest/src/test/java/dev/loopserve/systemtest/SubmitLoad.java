package dev.loopserve.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives {@code POST /v1/prompts} with a fixed set of bodies and measures each submission from the
 * moment it was due to the moment its answer arrived. Every run has an unmeasured lead-in (so
 * connections are open and the JIT has settled) and then a measured window of fixed length; only
 * submissions due in the window count.
 */
final class SubmitLoad {

  /**
   * One measured window.
   *
   * @param latencyMicros per submission, from due to answered, in microseconds
   * @param outcomes answers by HTTP status, or by exception class when there was none
   * @param notSent open loop only: submissions due while too many were already outstanding
   */
  record Run(
      String load,
      Duration window,
      Histogram latencyMicros,
      Map<String, Long> outcomes,
      long notSent,
      CpuUse cpu) {

    long accepted() {
      return outcomes.getOrDefault("202", 0L);
    }

    double acceptedPerSecond() {
      return accepted() / (window.toNanos() / 1e9);
    }

    long notAccepted() {
      return outcomes.values().stream().mapToLong(Long::longValue).sum() - accepted() + notSent;
    }
  }

  private static final HttpResponse.BodyHandler<Void> DISCARD =
      HttpResponse.BodyHandlers.discarding();

  private final HttpClient http;
  private final List<HttpRequest> submissions;
  private final CpuUse.Meter cpu;
  private final AtomicInteger next = new AtomicInteger();

  /**
   * @param bodies JSON bodies of {@code POST /v1/prompts}, used in turn
   */
  SubmitLoad(HttpClient http, String gatewayUrl, List<String> bodies, CpuUse.Meter cpu) {
    this.http = http;
    this.cpu = cpu;
    URI uri = URI.create(gatewayUrl + "/v1/prompts");
    this.submissions =
        bodies.stream()
            .map(
                body ->
                    HttpRequest.newBuilder(uri)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build())
            .toList();
  }

  /**
   * Closed loop: {@code clients} threads, each submitting again as soon as it has its answer. Shows
   * the most this machine accepts; the latency is that of a saturated gateway.
   */
  Run closedLoop(int clients, Duration leadIn, Duration window) throws InterruptedException {
    long measureFrom = System.nanoTime() + leadIn.toNanos();
    long measureTo = measureFrom + window.toNanos();
    Recording recording = new Recording();
    ExecutorService threads = Executors.newFixedThreadPool(clients);
    for (int i = 0; i < clients; i++) {
      threads.execute(
          () -> {
            for (long due = System.nanoTime(); due < measureTo; due = System.nanoTime()) {
              try {
                recording.answered(due, due >= measureFrom, http.send(nextRequest(), DISCARD));
              } catch (IOException e) {
                recording.failed(due, due >= measureFrom, e);
              } catch (InterruptedException e) {
                return;
              }
            }
          });
    }
    CpuUse used = measureCpu(measureFrom, measureTo);
    threads.shutdown();
    threads.awaitTermination(1, TimeUnit.MINUTES);
    return recording.run(clients + " clients, closed loop", window, 0, used);
  }

  /**
   * Open loop: submissions due at a fixed rate whether or not earlier ones were answered, sent by
   * {@code connections} threads over as many kept-alive connections, each timed from when it was
   * due (so time spent waiting for a free connection counts, as a client at that rate would see
   * it). A gateway that stalls shows the stall in every submission due while it lasted.
   *
   * @param maxBacklog due submissions waiting for a connection at most; beyond it a due one is
   *     counted as not sent
   */
  Run openLoop(int perSecond, int connections, Duration leadIn, Duration window, int maxBacklog)
      throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + leadIn.toNanos();
    long measureTo = measureFrom + window.toNanos();
    long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
    Recording recording = new Recording();
    BlockingQueue<Long> due = new LinkedBlockingQueue<>();
    AtomicLong notSent = new AtomicLong();
    long end = Long.MIN_VALUE;
    ExecutorService senders = Executors.newFixedThreadPool(connections);
    for (int i = 0; i < connections; i++) {
      senders.execute(
          () -> {
            try {
              for (long at = due.take(); at != end; at = due.take()) {
                try {
                  recording.answered(at, at >= measureFrom, http.send(nextRequest(), DISCARD));
                } catch (IOException e) {
                  recording.failed(at, at >= measureFrom, e);
                }
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
    Thread pacer =
        new Thread(
            () -> {
              for (long i = 0, at = start; at < measureTo; i++, at = start + i * interval) {
                long wait = at - System.nanoTime();
                if (wait > 0) {
                  LockSupport.parkNanos(wait);
                }
                if (due.size() >= maxBacklog) {
                  if (at >= measureFrom) {
                    notSent.incrementAndGet();
                  }
                } else {
                  due.add(at);
                }
              }
              for (int i = 0; i < connections; i++) {
                due.add(end);
              }
            },
            "submit-pacer");
    pacer.start();
    CpuUse used = measureCpu(measureFrom, measureTo);
    pacer.join();
    senders.shutdown();
    senders.awaitTermination(1, TimeUnit.MINUTES);
    return recording.run(
        perSecond + "/s over " + connections + ", open", window, notSent.get(), used);
  }

  private HttpRequest nextRequest() {
    return submissions.get(Math.floorMod(next.getAndIncrement(), submissions.size()));
  }

  private CpuUse measureCpu(long from, long to) throws InterruptedException {
    sleepUntil(from);
    CpuUse.Snapshot before = cpu.snapshot();
    sleepUntil(to);
    return cpu.since(before);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /** What the submissions of one run got; safe to record into from any thread. */
  private final class Recording {

    private final Histogram latencyMicros = new ConcurrentHistogram(3);
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

    void answered(long due, boolean measured, HttpResponse<?> response) {
      record(due, measured, Integer.toString(response.statusCode()));
    }

    void failed(long due, boolean measured, Throwable error) {
      Throwable cause = error.getCause() != null ? error.getCause() : error;
      record(due, measured, cause.getClass().getSimpleName());
    }

    private void record(long due, boolean measured, String outcome) {
      if (measured) {
        latencyMicros.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
      }
    }

    Run run(String load, Duration window, long notSent, CpuUse cpu) {
      Map<String, Long> counts = new TreeMap<>();
      outcomes.forEach((k, v) -> counts.put(k, v.sum()));
      return new Run(load, window, latencyMicros, counts, notSent, cpu);
    }
  }
}
