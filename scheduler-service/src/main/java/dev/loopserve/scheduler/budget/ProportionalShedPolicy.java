package dev.loopserve.scheduler.budget;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.RecurrenceRequest;
import dev.loopserve.scheduler.model.RecurrenceLimits;

/**
 * A simple placeholder policy: up to {@code shedAtOutstanding} outstanding requests every request
 * gets its full budget (its own {@code maxSteps}, else the model default); beyond that the budget
 * shrinks in proportion to the excess, never below the request's {@code minSteps} (else the model
 * minimum). A request with {@code minSteps == maxSteps} always gets exactly that.
 *
 * <p>Exit thresholds are the request's, else 0 (adaptive exit off).
 */
public final class ProportionalShedPolicy implements BudgetPolicy {

  /** Recorded on requests so a later policy's decisions can be told apart. */
  public static final long VERSION = 1;

  private final int shedAtOutstanding;

  public ProportionalShedPolicy(int shedAtOutstanding) {
    if (shedAtOutstanding < 1) {
      throw new IllegalArgumentException("shedAtOutstanding must be >= 1");
    }
    this.shedAtOutstanding = shedAtOutstanding;
  }

  @Override
  public Assignment assign(PromptSubmitted prompt, RecurrenceLimits limits, Load load) {
    RecurrenceRequest asked = prompt.recurrence();
    int hi = limits.clamp(asked.maxSteps() != null ? asked.maxSteps() : limits.defaultSteps());
    int lo = Math.min(hi, limits.clamp(asked.minSteps() != null ? asked.minSteps() : limits.min()));
    int queued = load.outstanding() + 1;
    int steps =
        queued <= shedAtOutstanding
            ? hi
            : Math.max(lo, (int) Math.floor((double) hi * shedAtOutstanding / queued));
    Budget budget =
        new Budget(
            Math.min(lo, steps),
            steps,
            orZero(asked.exitStateDelta()),
            orZero(asked.exitKl()),
            Boolean.TRUE.equals(asked.warmStart()));
    return new Assignment(budget, VERSION, predictMillis(prompt, steps, load), steps < hi);
  }

  private static long predictMillis(PromptSubmitted prompt, int steps, Load load) {
    if (load.workers() == 0 || load.secondsPerStep() <= 0) {
      return 0;
    }
    double perRequest = load.secondsPerStep() * steps * prompt.maxTokens();
    double ahead = (double) load.outstanding() / load.workers();
    return Math.round((ahead + 1) * perRequest * 1000);
  }

  private static double orZero(Double d) {
    return d == null ? 0.0 : d;
  }
}
