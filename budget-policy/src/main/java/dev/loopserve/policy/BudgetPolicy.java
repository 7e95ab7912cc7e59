package dev.loopserve.policy;

/**
 * Chooses each request's recurrence budget from the load on its model's fleet.
 *
 * <p>The algorithm is separate from enforcement: a policy only answers; the caller sends the budget
 * with the request and reports the assignment to a {@link LoadTracker}, which produces the next
 * {@link LoadSnapshot}. Implementations are thread-safe.
 */
public interface BudgetPolicy {

  /**
   * The budget for one request under the given load.
   *
   * @param request the request; its model must be known to the policy
   * @param load a snapshot of the same model's load; its {@link LoadSnapshot#at()} is "now"
   * @throws UnknownModelException when the policy has no profile for the request's model
   * @throws IllegalArgumentException when the snapshot is for another model
   */
  Decision decide(RequestParams request, LoadSnapshot load);

  /**
   * Workers the model needs so that every request could get the model's default budget within its
   * class's latency target at the current arrival rate; for the autoscaler. At least the configured
   * minimum, at most the maximum.
   */
  int desiredReplicas(LoadSnapshot load);
}
