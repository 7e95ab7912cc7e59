package dev.loopserve.gateway.openai;

import dev.loopserve.gateway.GatewayProperties;
import dev.loopserve.gateway.model.ModelCatalog;
import dev.loopserve.gateway.prompt.PromptFollowers;
import dev.loopserve.gateway.prompt.PromptSubmission;
import dev.loopserve.gateway.prompt.SubmitPromptRequest;
import dev.loopserve.gateway.security.Caller;
import dev.loopserve.messages.InferenceResult;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenAI's Completions API over loopserve's prompts: the prompt is submitted exactly as {@code POST
 * /v1/prompts} would, and the request waits for its result (or streams its tokens). Waiting blocks
 * the request's thread, which is a virtual thread in this application, and never polls: the
 * prompt's view wakes it.
 */
@RestController
@Tag(name = "OpenAI compatible")
class CompletionsController {

  private static final Logger log = LoggerFactory.getLogger(CompletionsController.class);
  private static final String PROBLEM = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

  private final PromptSubmission submission;
  private final PromptFollowers followers;
  private final ModelCatalog catalog;
  private final JsonMapper json;
  private final Duration timeout;

  CompletionsController(
      PromptSubmission submission,
      PromptFollowers followers,
      ModelCatalog catalog,
      JsonMapper json,
      GatewayProperties properties) {
    this.submission = submission;
    this.followers = followers;
    this.catalog = catalog;
    this.json = json;
    this.timeout = properties.completionTimeout();
  }

  @Operation(
      summary = "Complete a prompt (OpenAI Completions API)",
      description =
          "Submits the prompt like POST /v1/prompts and answers with an OpenAI text_completion"
              + " once it is done; the id is the prompt id. With stream: true, answers"
              + " server-sent events instead: one text_completion chunk per token, a last chunk"
              + " with finish_reason, a usage chunk if stream_options.include_usage, then"
              + " [DONE]. loopserve extras: recurrence {min_steps, max_steps, exit_state_delta,"
              + " exit_kl, warm_start}, top_k, priority, latency_target_ms. n and best_of must"
              + " be 1; echo, logprobs, suffix, presence/frequency penalties and logit_bias are"
              + " refused unless left at their defaults; user is ignored; any other field is"
              + " refused. A completion not done within loopserve.gateway.completion-timeout"
              + " answers 504 (or an error event) with the prompt id; the prompt goes on.",
      responses = {
        @ApiResponse(
            responseCode = "200",
            content = {
              @Content(
                  mediaType = MediaType.APPLICATION_JSON_VALUE,
                  schema = @Schema(implementation = Completion.class)),
              @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE)
            }),
        @ApiResponse(
            responseCode = "400",
            description = "invalid or unsupported parameters",
            content =
                @Content(
                    mediaType = PROBLEM,
                    schema = @Schema(implementation = ProblemDetail.class))),
        @ApiResponse(
            responseCode = "404",
            description = "unknown model",
            content =
                @Content(
                    mediaType = PROBLEM,
                    schema = @Schema(implementation = ProblemDetail.class))),
        @ApiResponse(
            responseCode = "409",
            description = "the prompt was cancelled",
            content =
                @Content(
                    mediaType = PROBLEM,
                    schema = @Schema(implementation = ProblemDetail.class))),
        @ApiResponse(
            responseCode = "502",
            description = "the inference service failed",
            content =
                @Content(
                    mediaType = PROBLEM,
                    schema = @Schema(implementation = ProblemDetail.class))),
        @ApiResponse(
            responseCode = "503",
            description = "Kafka unavailable, or prompt expired",
            content =
                @Content(
                    mediaType = PROBLEM,
                    schema = @Schema(implementation = ProblemDetail.class))),
        @ApiResponse(
            responseCode = "504",
            description = "not finished in time; poll GET /v1/prompts/{id}",
            content =
                @Content(
                    mediaType = PROBLEM,
                    schema = @Schema(implementation = ProblemDetail.class)))
      })
  @PostMapping("/v1/completions")
  ResponseEntity<Completion> complete(
      @Valid @RequestBody CompletionRequest request,
      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
      Caller caller,
      HttpServletResponse response)
      throws IOException {
    SubmitPromptRequest prompt = CompletionRequests.toPrompt(request);
    PromptSubmission.Submitted submitted = submission.submit(prompt, idempotencyKey, caller);
    int promptTokens =
        catalog.find(submitted.model()).map(m -> m.tokens().count(prompt.prompt())).orElse(0);
    long created = submitted.submittedAt() / 1000;
    if (request.streaming()) {
      stream(request, submitted, created, promptTokens, response);
      return null;
    }
    InferenceResult result = await(submitted.id());
    if (result.status() != InferenceResult.Status.SUCCEEDED) {
      throw OpenAiProblems.unsuccessful(submitted.id(), result);
    }
    return ResponseEntity.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .body(
            Completion.finished(submitted.id(), submitted.model(), created, promptTokens, result));
  }

  private InferenceResult await(String id) {
    CompletableFuture<InferenceResult> finished = followers.whenFinished(id);
    try {
      return finished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw OpenAiProblems.timedOut(id, timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw OpenAiProblems.timedOut(id, timeout.toMillis());
    } catch (ExecutionException e) {
      throw new IllegalStateException("following prompt " + id + " failed", e.getCause());
    } finally {
      // Stops following when the wait ended any other way than with the result.
      finished.cancel(false);
    }
  }

  private void stream(
      CompletionRequest request,
      PromptSubmission.Submitted submitted,
      long created,
      int promptTokens,
      HttpServletResponse response)
      throws IOException {
    CompletionStream stream =
        new CompletionStream(
            json, submitted.id(), submitted.model(), created, promptTokens, request.includeUsage());
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
    response.setCharacterEncoding("UTF-8");
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    // Reverse proxies (nginx) would otherwise hold tokens back in their buffers.
    response.setHeader("X-Accel-Buffering", "no");
    response.flushBuffer();
    PromptFollowers.Following following = followers.follow(submitted.id(), stream);
    try {
      stream.writeTo(response.getOutputStream(), timeout);
    } catch (IOException e) {
      log.debug("Client left the stream of prompt {}: {}", submitted.id(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      following.stop();
    }
  }
}
