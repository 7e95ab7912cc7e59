package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.PromptSubmitted;

/**
 * Enforces {@link Backpressure} with the figures this replica materialised: the model's backlog and
 * drain rate ({@link Backlog}) and the scheduler's degradation ({@link SchedulerPolicies}).
 */
class LoadShedding {

  private final Backpressure policy;
  private final Backlog backlog;
  private final SchedulerPolicies policies;

  LoadShedding(Backpressure policy, Backlog backlog, SchedulerPolicies policies) {
    this.policy = policy;
    this.backlog = backlog;
    this.policies = policies;
  }

  /** Admits everything: for tests and callers that do not shed load. */
  static LoadShedding off() {
    return new LoadShedding(null, null, null) {
      @Override
      void check(PromptSubmitted prompt, long nowMillis) {}
    };
  }

  /**
   * @throws org.springframework.web.ErrorResponseException 429 or 503, see {@link Backpressure}
   */
  void check(PromptSubmitted prompt, long nowMillis) {
    String model = prompt.model();
    policy.check(
        model,
        new Backpressure.Load(
            backlog.queued(model),
            backlog.drainPerSecond(model),
            policies.degradation(model, prompt.priority())),
        prompt.deadline(),
        nowMillis);
  }
}
