package dev.loopserve.gateway.openai;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * The part of OpenAI's chat completion request that is checked before the model is: its shape.
 * Every other field is accepted unread, since no request gets further than the chat template check
 * yet.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record ChatCompletionRequest(
    @NotBlank String model,
    @NotEmpty List<@Valid Message> messages,
    @Schema(hidden = true) @JsonAnySetter Map<String, Object> other) {

  /**
   * @param content a string or an array of content parts; may be absent on assistant messages
   */
  record Message(
      @NotBlank String role,
      @Schema(description = "a string or an array of content parts") JsonNode content) {}
}
