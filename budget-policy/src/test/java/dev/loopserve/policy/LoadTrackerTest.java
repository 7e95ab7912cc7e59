package dev.loopserve.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoadTrackerTest {
  private static final String MODEL = "loop-demo";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final LoadTracker tracker =
      LoadTracker.builder(clock)
          .heartbeatTimeout(Duration.ofSeconds(3))
          .stepTimeSmoothing(Duration.ofSeconds(1))
          .rateWindow(Duration.ofSeconds(10))
          .assignmentTimeout(Duration.ofMinutes(1))
          .build();

  private void beat(String worker, double secondsPerStep, int batch) {
    tracker.heartbeat(new WorkerSample(worker, MODEL, secondsPerStep, batch, 16, 16 - batch, 0));
  }

  @Test
  void aWorkerThatStopsSendingDropsOutAfterTheTimeout() {
    beat("w1", 0.002, 4);
    beat("w2", 0.002, 4);
    clock.advance(Duration.ofSeconds(2));
    beat("w1", 0.002, 4);
    assertThat(tracker.snapshot(MODEL).workers())
        .extracting(WorkerLoad::workerId)
        .containsExactly("w1", "w2");

    clock.advance(Duration.ofMillis(1500)); // w2 silent for 3.5 s, w1 for 1.5 s
    assertThat(tracker.snapshot(MODEL).workers())
        .extracting(WorkerLoad::workerId)
        .containsExactly("w1");

    clock.advance(Duration.ofSeconds(2));
    assertThat(tracker.snapshot(MODEL).coldStart()).isTrue();

    beat("w2", 0.002, 4); // a worker that comes back is live again
    assertThat(tracker.snapshot(MODEL).workers())
        .extracting(WorkerLoad::workerId)
        .containsExactly("w2");
  }

  @Test
  void stepTimesAreSmoothedPerBatchSize() {
    beat("w1", 0.002, 4);
    clock.advance(Duration.ofMillis(100));
    beat("w1", 0.004, 4); // one noisy sample moves the average only a little
    clock.advance(Duration.ofMillis(100));
    beat("w1", 0.010, 16);
    StepTimeCurve curve = tracker.snapshot(MODEL).workers().get(0).curve().orElseThrow();
    double alpha = 1 - Math.exp(-0.1);
    assertThat(curve.secondsPerStep(4)).isCloseTo(0.002 + alpha * 0.002, within(1e-12));
    assertThat(curve.secondsPerStep(16)).isEqualTo(0.010);
  }

  @Test
  void idleHeartbeatsKeepAWorkerLiveWithoutInventingAStepTime() {
    beat("w1", 0, 0);
    LoadSnapshot s = tracker.snapshot(MODEL);
    assertThat(s.workers()).hasSize(1);
    assertThat(s.workers().get(0).curve()).isEmpty();
  }

  @Test
  void countsOutstandingWorkUntilCompletedAndIsIdempotent() {
    tracker.assigned("r1", MODEL, PriorityClass.STANDARD, 30, 18);
    tracker.assigned("r2", MODEL, PriorityClass.STANDARD, 10, 18);
    tracker.assigned("r1", MODEL, PriorityClass.STANDARD, 30, 18); // redelivered
    LoadSnapshot s = tracker.snapshot(MODEL);
    assertThat(s.outstandingRequests()).isEqualTo(2);
    assertThat(s.workAhead()).isEqualTo(40);
    assertThat(s.meanRequestWork()).isEqualTo(20);
    assertThat(s.meanDefaultWork()).isCloseTo(18, within(1e-9));

    assertThat(tracker.completed("r1")).isTrue();
    assertThat(tracker.completed("r1")).isFalse();
    tracker.assigned(
        "r1", MODEL, PriorityClass.STANDARD, 30, 18); // late duplicate after the result
    s = tracker.snapshot(MODEL);
    assertThat(s.outstandingRequests()).isEqualTo(1);
    assertThat(s.workAhead()).isEqualTo(10);
  }

  @Test
  void runningRequestsBurnDownAtTheirWorkersStepRate() {
    beat("w1", 0.010, 1); // 100 steps/s for a single sequence
    tracker.assigned("r1", MODEL, PriorityClass.STANDARD, 50, 50);
    tracker.started("r1", "w1");
    clock.advance(Duration.ofMillis(200));
    beat("w1", 0.010, 1);
    LoadSnapshot s = tracker.snapshot(MODEL);
    assertThat(s.runningRequests()).isEqualTo(1);
    assertThat(s.workAhead()).isCloseTo(30, within(1e-6));
    clock.advance(Duration.ofSeconds(1));
    beat("w1", 0.010, 1);
    assertThat(tracker.snapshot(MODEL).workAhead()).isZero(); // overran its estimate: not negative
  }

  @Test
  void consumerLagBeyondWhatWasAssignedHereCountsAtTheMeanWork() {
    tracker.assigned("r1", MODEL, PriorityClass.STANDARD, 20, 20);
    tracker.consumerLag(MODEL, 4); // e.g. another scheduler replica assigned three more
    LoadSnapshot s = tracker.snapshot(MODEL);
    assertThat(s.outstandingRequests()).isEqualTo(4);
    assertThat(s.workAhead()).isEqualTo(80);
    clock.advance(Duration.ofSeconds(4)); // a stale lag figure is ignored
    assertThat(tracker.snapshot(MODEL).outstandingRequests()).isEqualTo(1);
  }

  @Test
  void forgetsAssignmentsThatNeverComplete() {
    tracker.assigned("lost", MODEL, PriorityClass.BATCH, 20, 20);
    clock.advance(Duration.ofSeconds(61));
    tracker.assigned("fresh", MODEL, PriorityClass.BATCH, 5, 20);
    LoadSnapshot s = tracker.snapshot(MODEL);
    assertThat(s.outstandingRequests()).isEqualTo(1);
    assertThat(s.workAhead()).isEqualTo(5);
  }

  @Test
  void arrivalRatesAreSmoothedPerClass() {
    for (int i = 0; i < 200; i++) {
      tracker.assigned("i" + i, MODEL, PriorityClass.INTERACTIVE, 1, 1);
      tracker.completed("i" + i);
      clock.advance(Duration.ofMillis(50)); // 20/s for 10 s
    }
    LoadSnapshot s = tracker.snapshot(MODEL);
    double expected = 20 * (1 - Math.exp(-1)); // a 10 s window that has seen 10 s of traffic
    assertThat(s.arrivalRates().get(PriorityClass.INTERACTIVE)).isCloseTo(expected, within(0.5));
    assertThat(s.arrivalRates().get(PriorityClass.BATCH)).isZero();
  }
}
