package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.web.ErrorResponseException;

class BackpressureTest {

  private final Backpressure policy =
      new Backpressure(100, 0.75, Duration.ofSeconds(5), Duration.ofSeconds(60));

  @Test
  void belowTheBoundEverythingIsAdmitted() {
    assertThatCode(() -> policy.check("m", new Backpressure.Load(99, 10, 0.5), null, 0))
        .doesNotThrowAnyException();
  }

  @Test
  void atTheBoundIs429WithARetryAfterFromTheDrainRate() {
    // 120 queued, bound 100: 21 must drain before there is room; at 7/s that is 3 s.
    assertThatThrownBy(() -> policy.check("m", new Backpressure.Load(120, 7, null), null, 0))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(429);
              assertThat(e.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("3");
              assertThat(e.getBody().getDetail()).contains("120 prompts waiting");
            });
  }

  @Test
  void retryAfterFallsBackWithoutARateAndIsCapped() {
    assertThat(policy.retryAfterSeconds(10, 0)).isEqualTo(5);
    assertThat(policy.retryAfterSeconds(10_000, 1)).isEqualTo(60);
    assertThat(policy.retryAfterSeconds(1, 1000)).isEqualTo(1);
  }

  @Test
  void aSchedulerDegradedPastTheLevelIs429() {
    assertThatThrownBy(() -> policy.check("m", new Backpressure.Load(4, 2, 0.75), null, 0))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(429);
              assertThat(e.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
            });
    var never = new Backpressure(100, null, Duration.ofSeconds(5), Duration.ofSeconds(60));
    assertThatCode(() -> never.check("m", new Backpressure.Load(4, 2, 1.0), null, 0))
        .doesNotThrowAnyException();
  }

  @Test
  void aDeadlineTheQueueCannotMeetIsRefusedAtOnce() {
    // 50 ahead at 10/s: about 5 s of waiting.
    var load = new Backpressure.Load(50, 10, null);
    assertThatThrownBy(() -> policy.check("m", load, 4_000L, 0))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(503);
              assertThat(e.getBody().getDetail()).contains("5000 ms");
            });
    assertThatCode(() -> policy.check("m", load, 6_000L, 0)).doesNotThrowAnyException();
    assertThatCode(() -> policy.check("m", new Backpressure.Load(50, 0, null), 1L, 0))
        .as("with no measured rate nothing is sure to be missed")
        .doesNotThrowAnyException();
  }

  @Test
  void theConstructorRefusesNonsense() {
    assertThatThrownBy(
            () -> new Backpressure(0, null, Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backpressure(1, 1.5, Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new Backpressure(1, null, Duration.ofSeconds(9), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
