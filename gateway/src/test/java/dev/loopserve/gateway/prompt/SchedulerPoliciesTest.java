package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.PolicySnapshot;
import dev.loopserve.messages.Priority;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerPoliciesTest {

  private final SchedulerPolicies policies = new SchedulerPolicies();

  @Test
  void degradationIsHowFarTheLevelFellFromTheDefaultTowardTheMinimum() {
    policies.apply(snapshot(1, Map.of("standard", 4, "interactive", 1, "batch", 8)));

    assertThat(policies.degradation("m", Priority.STANDARD)).isEqualTo(0.5);
    assertThat(policies.degradation("m", Priority.INTERACTIVE)).isEqualTo(1.0);
    assertThat(policies.degradation("m", Priority.BATCH)).as("above default").isZero();
    assertThat(policies.degradation("unknown", Priority.STANDARD)).isNull();
  }

  @Test
  void anOlderSnapshotNeverReplacesANewerOne() {
    policies.apply(snapshot(2, Map.of("standard", 7)));
    policies.apply(snapshot(1, Map.of("standard", 1)));

    assertThat(policies.degradation("m", Priority.STANDARD)).isZero();
  }

  private static PolicySnapshot snapshot(long version, Map<String, Object> levels) {
    // min 1, default 7: each step below 7 is a sixth of the way down.
    return new PolicySnapshot("m", version, 0L, 1, 32, 7, null, Map.of("levels", levels));
  }
}
