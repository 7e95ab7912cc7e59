package dev.loopserve.gateway.prompt;

import dev.loopserve.gateway.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import java.net.URI;
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

  PromptController(
      PromptSubmission submission, PromptViews views, PromptCancellation cancellation) {
    this.submission = submission;
    this.views = views;
    this.cancellation = cancellation;
  }

  /**
   * With an {@code Idempotency-Key}, a retried submission maps to the same request id (see {@link
   * PromptSubmission}); the same key with a different body is 409.
   */
  @Operation(summary = "Queue a prompt; poll the returned Location for the result")
  @PostMapping("/v1/prompts")
  ResponseEntity<Accepted> submit(
      @Valid @RequestBody SubmitPromptRequest request,
      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
      Caller caller) {
    PromptSubmission.Submitted submitted =
        submission.submit(request, idempotencyKey, caller.tenant());
    return ResponseEntity.accepted()
        .location(URI.create("/v1/prompts/" + submitted.id()))
        .body(new Accepted(submitted.id(), submitted.model(), submitted.status()));
  }

  @Operation(summary = "Status of a prompt, with its text, recurrence use and timings once done")
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
  @DeleteMapping("/v1/prompts/{id}")
  ResponseEntity<PromptResponse> cancel(@PathVariable String id, Caller caller) {
    return ResponseEntity.accepted()
        .location(URI.create("/v1/prompts/" + id))
        .body(PromptResponse.of(cancellation.cancel(id, caller.tenant())));
  }
}
