package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopserve.gateway.security.Caller;
import dev.loopserve.gateway.security.Limits;
import dev.loopserve.messages.PromptSubmitted;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.web.ErrorResponseException;

class PromptQuotaTest {

  private final PromptViews views = new PromptViews();
  private final PromptQuota quota = new PromptQuota(views);
  private final Caller caller = new Caller("t", "k1", false, new Limits(10, 10, 2, 5));

  @Test
  void aPromptOfMoreCharactersThanTheKeyAllowsIs413() {
    assertThatNoException().isThrownBy(() -> quota.checkSize(caller, "abcde"));
    // Five code points in nine UTF-16 units: the limit counts what users see as characters.
    assertThatNoException().isThrownBy(() -> quota.checkSize(caller, "😀😀😀😀e"));
    assertThatThrownBy(() -> quota.checkSize(caller, "abcdef"))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(413);
              assertThat(e.getBody().getDetail())
                  .isEqualTo(
                      "The prompt has 6 characters but API key 'k1' allows at most 5; shorten it");
            });
  }

  @Test
  void aTenantAtItsInFlightLimitIs429UntilOneFinishes() {
    views.apply(prompt("a", "t"));
    views.apply(prompt("x", "other"));
    assertThatNoException().isThrownBy(() -> quota.checkInFlight(caller));
    views.apply(prompt("b", "t"));
    assertThatThrownBy(() -> quota.checkInFlight(caller))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(429);
              assertThat(e.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
              assertThat(e.getBody().getProperties()).containsEntry("in_flight", 2);
            });
  }

  private static PromptSubmitted prompt(String id, String tenant) {
    return new PromptSubmitted(id, tenant, "m", "p", 2, 1L, null, null, null, null, null);
  }
}
