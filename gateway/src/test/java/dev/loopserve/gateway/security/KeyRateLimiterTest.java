package dev.loopserve.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyRateLimiterTest {

  private final MutableClock clock = new MutableClock();
  private final KeyRateLimiter limiter = new KeyRateLimiter(clock);
  private final Limits twoPerSecondBurstThree = new Limits(2, 3, 10, 100);

  @Test
  void admitsABurstThenRefusesUntilTheBucketRefills() {
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("k", twoPerSecondBurstThree).allowed()).as("#" + i).isTrue();
    }
    KeyRateLimiter.Decision refused = limiter.tryAcquire("k", twoPerSecondBurstThree);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(500));
    assertThat(refused.retryAfterSeconds()).as("rounded up to whole seconds").isEqualTo(1);

    clock.advance(Duration.ofMillis(499));
    assertThat(limiter.tryAcquire("k", twoPerSecondBurstThree).allowed()).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(limiter.tryAcquire("k", twoPerSecondBurstThree).allowed()).isTrue();
    assertThat(limiter.tryAcquire("k", twoPerSecondBurstThree).allowed()).isFalse();
  }

  @Test
  void refillsAtTheRateButNeverBeyondTheBurst() {
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire("k", twoPerSecondBurstThree);
    }
    clock.advance(Duration.ofHours(1));
    int admitted = 0;
    while (limiter.tryAcquire("k", twoPerSecondBurstThree).allowed()) {
      admitted++;
    }
    assertThat(admitted).isEqualTo(3);
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    Limits one = new Limits(1, 1, 10, 100);
    assertThat(limiter.tryAcquire("a", one).allowed()).isTrue();
    assertThat(limiter.tryAcquire("a", one).allowed()).isFalse();
    assertThat(limiter.tryAcquire("b", one).allowed()).isTrue();
  }

  @Test
  void aSlowRateTellsClientsToWaitForTheWholeRefill() {
    Limits everyFourSeconds = new Limits(0.25, 1, 10, 100);
    limiter.tryAcquire("k", everyFourSeconds);
    clock.advance(Duration.ofMillis(1500));
    KeyRateLimiter.Decision refused = limiter.tryAcquire("k", everyFourSeconds);
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(2500));
    assertThat(refused.retryAfterSeconds()).isEqualTo(3);
  }

  @Test
  void unlimitedCallersAreNeverRefused() {
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.tryAcquire("anonymous", Limits.UNLIMITED).allowed()).isTrue();
    }
  }
}
