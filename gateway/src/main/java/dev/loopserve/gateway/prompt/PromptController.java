package dev.loopserve.gateway.prompt;

import dev.loopserve.gateway.GatewayProperties;
import dev.loopserve.gateway.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.Valid;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Asynchronous prompt submission and polling. */
@RestController
class PromptController {

  record Accepted(String id, String model, PromptStatus status) {}

  private final PromptSubmission submission;
  private final PromptViews views;
  private final PromptCancellation cancellation;
  private final Backlog backlog;
  private final long maxRetryAfterSeconds;

  PromptController(
      PromptSubmission submission,
      PromptViews views,
      PromptCancellation cancellation,
      Backlog backlog,
      GatewayProperties properties) {
    this.submission = submission;
    this.views = views;
    this.cancellation = cancellation;
    this.backlog = backlog;
    this.maxRetryAfterSeconds = properties.backpressure().maxRetryAfter().toSeconds();
  }

  /**
   * With an {@code Idempotency-Key}, a retried submission maps to the same request id (see {@link
   * PromptSubmission}); the same key with a different body is 409.
   */
  @Operation(
      summary = "Queue a prompt; poll the returned Location for the result",
      description =
          "413 when the prompt has more characters than the API key allows (max-prompt-chars);"
              + " 429 with Retry-After when the key's tenant already has max-in-flight prompts"
              + " queued or running (a retry with a known Idempotency-Key is never refused).")
  @ApiResponse(
      responseCode = "202",
      description =
          "Queued. Location is the prompt's URL; Retry-After estimates the seconds until it is"
              + " worth polling, from the model's backlog and drain rate")
  @ApiResponse(
      responseCode = "400",
      description = "Unreadable body, unknown field, wrong type, or out of the model's ranges",
      content = @Content(mediaType = "application/problem+json"))
  @ApiResponse(
      responseCode = "401",
      description = "Missing or invalid API key",
      content = @Content(mediaType = "application/problem+json"))
  @ApiResponse(
      responseCode = "404",
      description = "Unknown model",
      content = @Content(mediaType = "application/problem+json"))
  @ApiResponse(
      responseCode = "409",
      description = "Idempotency-Key reused with a different body",
      content = @Content(mediaType = "application/problem+json"))
  @ApiResponse(
      responseCode = "413",
      description = "Body over loopserve.gateway.max-body-size, or prompt over the key's limit",
      content = @Content(mediaType = "application/problem+json"))
  @ApiResponse(
      responseCode = "415",
      description = "Content-Type other than application/json",
      content = @Content(mediaType = "application/problem+json"))
  @ApiResponse(
      responseCode = "429",
      description =
          "The model's backlog is full, or the key's rate or in-flight limit is reached;"
              + " Retry-After says when to retry",
      content = @Content(mediaType = "application/problem+json"))
  @ApiResponse(
      responseCode = "503",
      description = "Kafka unavailable, or the deadline cannot be met",
      content = @Content(mediaType = "application/problem+json"))
  @PostMapping("/v1/prompts")
  ResponseEntity<Accepted> submit(
      @Valid @RequestBody SubmitPromptRequest request,
      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
      Caller caller) {
    PromptSubmission.Submitted submitted = submission.submit(request, idempotencyKey, caller);
    return ResponseEntity.accepted()
        .location(URI.create("/v1/prompts/" + submitted.id()))
        .header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterHint(submitted.model())))
        .body(new Accepted(submitted.id(), submitted.model(), submitted.status()));
  }

  /**
   * Seconds until the prompts ahead have drained at the measured rate (1 when unknown), capped at
   * the longest Retry-After the gateway ever suggests.
   */
  private long retryAfterHint(String model) {
    double drain = backlog.drainPerSecond(model);
    long seconds = drain <= 0 ? 1 : (long) Math.ceil(backlog.queued(model) / drain);
    return Math.max(1, Math.min(seconds, maxRetryAfterSeconds));
  }

  @Operation(summary = "Status of a prompt, with its text, recurrence use and timings once done")
  @ApiResponse(responseCode = "200", description = "The prompt as this replica knows it")
  @ApiResponse(
      responseCode = "404",
      description = "No such prompt for this caller's tenant",
      content = @Content(mediaType = "application/problem+json"))
  @GetMapping("/v1/prompts/{id}")
  PromptResponse get(@PathVariable String id, Caller caller) {
    return views
        .find(id, caller.tenant())
        .map(PromptResponse::of)
        .orElseThrow(() -> Problems.unknownPrompt(id));
  }

  /**
   * Accepted, not done: the status becomes {@code cancelled} once the inference service answers,
   * and a prompt that finishes first keeps its result.
   */
  @Operation(
      summary = "Cancel a prompt that has not finished",
      description =
          "202 with the current status once the cancellation is queued; 404 for an unknown id,"
              + " 409 when the prompt already finished. Poll or stream for status 'cancelled'.")
  @ApiResponse(responseCode = "202", description = "Cancellation queued")
  @ApiResponse(
      responseCode = "404",
      description = "No such prompt for this caller's tenant",
      content = @Content(mediaType = "application/problem+json"))
  @ApiResponse(
      responseCode = "409",
      description = "Already finished",
      content = @Content(mediaType = "application/problem+json"))
  @DeleteMapping("/v1/prompts/{id}")
  ResponseEntity<PromptResponse> cancel(@PathVariable String id, Caller caller) {
    return ResponseEntity.accepted()
        .location(URI.create("/v1/prompts/" + id))
        .body(PromptResponse.of(cancellation.cancel(id, caller.tenant())));
  }
}
