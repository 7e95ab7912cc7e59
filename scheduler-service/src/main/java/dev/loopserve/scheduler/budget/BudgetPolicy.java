package dev.loopserve.scheduler.budget;

import dev.loopserve.messages.PromptSubmitted;

/**
 * Chooses a request's recurrence budget. The seam between the router (Kafka) and the budget logic;
 * an implementation answers and records the assignment in its own load picture, and never publishes
 * anything.
 */
public interface BudgetPolicy {

  /**
   * The budget for one prompt, recorded as outstanding work of its model. Idempotent by request id
   * for the load picture (a redelivered prompt is decided again but counted once).
   *
   * @throws IllegalArgumentException when the prompt's parameters cannot be honoured (for example a
   *     recurrence range with min above max); the caller dead-letters it
   */
  Assignment assign(PromptSubmitted prompt);
}
