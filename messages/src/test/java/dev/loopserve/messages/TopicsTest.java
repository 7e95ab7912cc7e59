package dev.loopserve.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void namesFollowTheContract() {
    assertThat(Topics.requestsTopic("loop-demo")).isEqualTo("loopserve.requests.loop-demo");
    assertThat(Topics.inferenceGroup("loop-demo")).isEqualTo("loopserve-inference-loop-demo");
    assertThat(Topics.SHARED).contains("loopserve.results", "loopserve.dlq").hasSize(8);
  }

  @Test
  void rejectsModelNamesThatWouldMakeBadTopics() {
    assertThatThrownBy(() -> Topics.requestsTopic("../x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.requestsTopic("Loop"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Topics.isValidModelName("a".repeat(63))).isTrue();
    assertThat(Topics.isValidModelName("a".repeat(64))).isFalse();
  }
}
