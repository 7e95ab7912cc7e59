package dev.loopserve.scheduler.budget;

import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.scheduler.model.RecurrenceLimits;

/**
 * Chooses a request's recurrence budget. The seam where the load-aware policy of the {@code
 * budget-policy} module plugs in; implementations only answer and never publish anything.
 */
public interface BudgetPolicy {

  /**
   * @param limits the model's supported range; the budget must lie within it
   * @param load the model's current load
   */
  Assignment assign(PromptSubmitted prompt, RecurrenceLimits limits, Load load);
}
