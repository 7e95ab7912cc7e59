package dev.loopserve.gateway.openai;

import dev.loopserve.gateway.model.ModelCatalog;
import dev.loopserve.gateway.model.ModelSpec;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * OpenAI's Chat Completions API. A chat needs the model's chat template to become a prompt; the
 * package contract keeps it in {@code model.json}'s {@code chat_template}, and the shipped model
 * has none, so this route says so and points at {@code /v1/completions}.
 */
@RestController
@Tag(name = "OpenAI compatible")
class ChatCompletionsController {

  private final ModelCatalog catalog;

  ChatCompletionsController(ModelCatalog catalog) {
    this.catalog = catalog;
  }

  @Operation(
      summary = "Chat completion (OpenAI Chat Completions API): not available for these models",
      description =
          "Checks the body (model, non-empty messages with a role each), then the model: 404 for"
              + " an unknown model; 400 chat-template-missing for a model whose package has no"
              + " chat_template (the shipped one), pointing at POST /v1/completions; 501 for a"
              + " model with a template, which this gateway does not render yet.",
      responses = {
        @ApiResponse(
            responseCode = "400",
            description = "invalid body, or no chat template",
            content =
                @Content(
                    mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class))),
        @ApiResponse(
            responseCode = "404",
            description = "unknown model",
            content =
                @Content(
                    mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class))),
        @ApiResponse(
            responseCode = "501",
            description = "chat templates are not rendered yet",
            content =
                @Content(
                    mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE,
                    schema = @Schema(implementation = ProblemDetail.class)))
      })
  @PostMapping("/v1/chat/completions")
  void complete(@Valid @RequestBody ChatCompletionRequest request) {
    ModelSpec model =
        catalog
            .find(request.model())
            .orElseThrow(
                () ->
                    OpenAiProblems.unknownModel(
                        request.model(), catalog.all().stream().map(ModelSpec::name).toList()));
    if (model.chatTemplate() == null) {
      throw OpenAiProblems.chatTemplateMissing(model.name());
    }
    throw OpenAiProblems.chatTemplateUnsupported(model.name());
  }
}
