package dev.loopserve.scheduler.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.RecurrenceRequest;
import dev.loopserve.scheduler.model.RecurrenceLimits;
import org.junit.jupiter.api.Test;

class ProportionalShedPolicyTest {

  private final ProportionalShedPolicy policy = new ProportionalShedPolicy(4);
  private final RecurrenceLimits limits = new RecurrenceLimits(1, 8, 32);

  @Test
  void givesTheModelDefaultWhenIdleAndAskedForNothing() {
    Assignment a = policy.assign(prompt(RecurrenceRequest.NONE), limits, Load.IDLE);

    assertThat(a.budget()).isEqualTo(new Budget(1, 8, 0.0, 0.0, false));
    assertThat(a.degraded()).isFalse();
    assertThat(a.policyVersion()).isEqualTo(ProportionalShedPolicy.VERSION);
  }

  @Test
  void forcedDepthIsKeptUnderAnyLoad() {
    Assignment a =
        policy.assign(prompt(RecurrenceRequest.fixed(16)), limits, new Load(100, 1, 0.001));

    assertThat(a.budget()).isEqualTo(Budget.fixed(16));
    assertThat(a.degraded()).isFalse();
  }

  @Test
  void shrinksTheBudgetInProportionOnceTheQueueIsLongButNotBelowTheFloor() {
    RecurrenceRequest asked = new RecurrenceRequest(2, 16, 0.01, null, true);

    assertThat(policy.assign(prompt(asked), limits, new Load(3, 1, 0)).budget().maxSteps())
        .isEqualTo(16);
    Assignment busy = policy.assign(prompt(asked), limits, new Load(7, 1, 0));
    assertThat(busy.budget().maxSteps()).isEqualTo(8); // 16 * 4 / 8
    assertThat(busy.degraded()).isTrue();
    assertThat(busy.budget().exitStateDelta()).isEqualTo(0.01);
    assertThat(busy.budget().warmStart()).isTrue();
    assertThat(policy.assign(prompt(asked), limits, new Load(1000, 1, 0)).budget())
        .isEqualTo(new Budget(2, 2, 0.01, 0.0, true));
  }

  @Test
  void clampsRequestsToTheModelsRange() {
    Assignment a =
        policy.assign(prompt(new RecurrenceRequest(null, 64, null, null, null)), limits, Load.IDLE);

    assertThat(a.budget().maxSteps()).isEqualTo(32);
  }

  @Test
  void predictsLatencyFromHeartbeatsOnly() {
    assertThat(
            policy
                .assign(prompt(RecurrenceRequest.fixed(10)), limits, Load.IDLE)
                .predictedLatencyMs())
        .isZero();
    // 2 waiting per worker + this one = 3 requests of 10 steps * 4 tokens * 1 ms.
    assertThat(
            policy
                .assign(prompt(RecurrenceRequest.fixed(10)), limits, new Load(4, 2, 0.001))
                .predictedLatencyMs())
        .isEqualTo(120);
  }

  private static PromptSubmitted prompt(RecurrenceRequest recurrence) {
    return new PromptSubmitted("r", "t", "m", "a=1;a?", 4, 0L, null, recurrence, null, null, null);
  }
}
