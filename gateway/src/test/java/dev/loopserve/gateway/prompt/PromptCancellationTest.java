package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.CancelRequest;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.web.ErrorResponseException;

class PromptCancellationTest {

  private final PromptViews views = new PromptViews();
  private final List<CancelRequest> published = new ArrayList<>();
  private final PromptCancellation cancellation =
      new PromptCancellation(
          views, published::add, Clock.fixed(Instant.ofEpochMilli(42), ZoneOffset.UTC));

  @Test
  void anInFlightPromptIsCancelledByRequestIdAndKeepsItsStatusUntilTheResult() {
    views.apply(
        new PromptSubmitted("r1", "tenant-a", "m", "a=1;a?", 2, 1L, null, null, null, null, null));

    PromptView view = cancellation.cancel("r1", "tenant-a");

    assertThat(view.status()).isEqualTo(PromptStatus.QUEUED);
    assertThat(published).containsExactly(new CancelRequest("r1", "tenant-a", 42L));
    assertThat(views.find("r1").orElseThrow().status()).isEqualTo(PromptStatus.QUEUED);
  }

  @Test
  void anUnknownIdIs404AndPublishesNothing() {
    assertThatThrownBy(() -> cancellation.cancel("nope", "tenant-a"))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> assertThat(e.getStatusCode().value()).isEqualTo(404));
    assertThat(published).isEmpty();
  }

  @Test
  void anotherTenantsPromptIs404AndPublishesNothing() {
    views.apply(
        new PromptSubmitted("r1", "tenant-a", "m", "a", 2, 1L, null, null, null, null, null));

    assertThatThrownBy(() -> cancellation.cancel("r1", "tenant-b"))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> assertThat(e.getStatusCode().value()).isEqualTo(404));
    assertThat(published).isEmpty();
  }

  @Test
  void aFinishedPromptIs409AndPublishesNothing() {
    views.apply(
        new InferenceResult(
            "r1",
            "tenant-a",
            "m",
            InferenceResult.Status.SUCCEEDED,
            "1",
            List.of(3L),
            List.of(4),
            List.of(),
            null,
            Budget.fixed(4),
            null,
            1L,
            "w1",
            null));

    assertThatThrownBy(() -> cancellation.cancel("r1", "tenant-a"))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(409);
              assertThat(e.getBody().getDetail()).contains("succeeded");
            });
    assertThat(published).isEmpty();
  }
}
