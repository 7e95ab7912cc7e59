package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loopserve.gateway.model.ModelCatalog;
import dev.loopserve.gateway.model.ModelSpec;
import dev.loopserve.messages.Priority;
import dev.loopserve.messages.PromptSubmitted;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.web.ErrorResponseException;

class PromptAdmissionTest {

  // A character-level count with <bos>, like the demo tokenizer; enough to test the arithmetic.
  private final ModelSpec model = new ModelSpec("m", "1", 10, 1, 4, 16, p -> p.length() + 1);
  private final PromptAdmission admission =
      new PromptAdmission(new ModelCatalog(List.of(model)), 16);

  @Test
  void buildsTheKafkaMessageFromTheRequest() {
    PromptSubmitted p =
        admission.admit(
            request("m", "abc", 3, new SubmitPromptRequest.Recurrence(2, 5, null, 0.0, true)),
            "id-1",
            "t",
            42L);

    assertThat(p.requestId()).isEqualTo("id-1");
    assertThat(p.maxTokens()).isEqualTo(3);
    assertThat(p.submittedAt()).isEqualTo(42L);
    assertThat(p.tenant()).isEqualTo("t");
    assertThat(p.recurrence().minSteps()).isEqualTo(2);
    assertThat(p.recurrence().maxSteps()).isEqualTo(5);
    assertThat(p.recurrence().warmStart()).isTrue();
    assertThat(p.priority()).isEqualTo(Priority.STANDARD);
  }

  @Test
  void defaultsMaxTokensToWhatTheContextLeaves() {
    // 10 context - (3 chars + bos) = 6 left, below the default of 16.
    assertThat(admission.admit(request("m", "abc", null, null), "id", "t", 0).maxTokens())
        .isEqualTo(6);
  }

  @Test
  void rejectsUnknownModelsWith404() {
    assertThatThrownBy(() -> admission.admit(request("nope", "abc", 1, null), "id", "t", 0))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> {
              assertThat(e.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
              assertThat(e.getBody().getDetail()).contains("'nope'").contains("known models: m");
            });
  }

  @Test
  void rejectsPromptsThatDoNotFitTheContextNamingTheLimit() {
    assertThatThrownBy(() -> admission.admit(request("m", "123456789", 1, null), "id", "t", 0))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> {
              assertThat(e.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
              assertThat(e.getBody().getDetail()).contains("10 tokens").contains("prompt is 10");
              assertThat(e.getBody().getProperties()).containsEntry("max_context", 10);
            });
    assertThatThrownBy(() -> admission.admit(request("m", "abc", 7, null), "id", "t", 0))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> assertThat(e.getBody().getDetail()).contains("at most 6 fit"));
  }

  @Test
  void rejectsRecurrenceBoundsOutsideTheModelsRange() {
    assertThatThrownBy(
            () ->
                admission.admit(
                    request(
                        "m",
                        "a",
                        1,
                        new SubmitPromptRequest.Recurrence(null, 17, null, null, null)),
                    "id",
                    "t",
                    0))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e ->
                assertThat(e.getBody().getDetail())
                    .contains("max_steps is 17")
                    .contains("1 to 16"));
    assertThatThrownBy(
            () ->
                admission.admit(
                    request(
                        "m", "a", 1, new SubmitPromptRequest.Recurrence(6, 5, null, null, null)),
                    "id",
                    "t",
                    0))
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e -> assertThat(e.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST));
  }

  private static SubmitPromptRequest request(
      String model, String prompt, Integer maxTokens, SubmitPromptRequest.Recurrence recurrence) {
    return new SubmitPromptRequest(
        model, prompt, maxTokens, recurrence, null, null, null, null, null, null, null);
  }
}
