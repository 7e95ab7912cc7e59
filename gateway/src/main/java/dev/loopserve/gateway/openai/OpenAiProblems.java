package dev.loopserve.gateway.openai;

import dev.loopserve.messages.InferenceResult;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The RFC 9457 problems of the OpenAI-compatible routes. OpenAI clients show the body of an error
 * they cannot parse as their own, so the detail alone must tell the user what to change.
 */
final class OpenAiProblems {

  private static final String BASE = "https://loopserve.dev/problems/";

  /**
   * Stainless-generated OpenAI SDKs retry 5xx answers unless told not to; a retried completion
   * would generate again while the first prompt is still running.
   */
  static final String SHOULD_RETRY = "x-should-retry";

  private OpenAiProblems() {}

  static ErrorResponseException invalid(String detail) {
    return problem(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail, Map.of());
  }

  static ErrorResponseException unknownFields(List<String> fields) {
    return problem(
        HttpStatus.BAD_REQUEST,
        "invalid-request",
        "Invalid request",
        "Unknown field(s) "
            + String.join(", ", fields)
            + ": not part of the OpenAI Completions API nor of loopserve's extras (recurrence,"
            + " top_k, priority, latency_target_ms); remove them",
        Map.of("params", fields));
  }

  static ErrorResponseException unsupported(List<String> reasons, List<String> params) {
    return problem(
        HttpStatus.BAD_REQUEST,
        "unsupported-parameter",
        "Unsupported parameter",
        String.join("; ", reasons),
        Map.of("params", params));
  }

  static ErrorResponseException unknownModel(String model, Iterable<String> known) {
    return problem(
        HttpStatus.NOT_FOUND,
        "unknown-model",
        "Unknown model",
        "Model '" + model + "' is not served here; known models: " + String.join(", ", known),
        Map.of("model", model));
  }

  static ErrorResponseException chatTemplateMissing(String model) {
    return problem(
        HttpStatus.BAD_REQUEST,
        "chat-template-missing",
        "Model has no chat template",
        "Model '"
            + model
            + "' has no chat template (its package sets no chat_template), so chat messages cannot"
            + " be turned into a prompt; send the prompt text to POST /v1/completions instead",
        Map.of("model", model));
  }

  static ErrorResponseException chatTemplateUnsupported(String model) {
    return problem(
        HttpStatus.NOT_IMPLEMENTED,
        "chat-template-unsupported",
        "Chat templates are not rendered yet",
        "Model '"
            + model
            + "' has a chat template, but this gateway does not render chat templates yet; render"
            + " the conversation yourself and send it to POST /v1/completions",
        Map.of("model", model));
  }

  static ErrorResponseException timedOut(String id, long timeoutMillis) {
    ErrorResponseException e =
        problem(
            HttpStatus.GATEWAY_TIMEOUT,
            "completion-timeout",
            "Completion not finished in time",
            "The completion did not finish within "
                + timeoutMillis
                + " ms; it was not cancelled: poll GET /v1/prompts/"
                + id
                + " for its result",
            Map.of("id", id));
    e.getHeaders().set(SHOULD_RETRY, "false");
    return e;
  }

  static ErrorResponseException failed(String id, String error) {
    return problem(
        HttpStatus.BAD_GATEWAY,
        "generation-failed",
        "Generation failed",
        "The inference service failed to complete prompt '"
            + id
            + "'"
            + (error == null || error.isBlank() ? "" : ": " + error),
        Map.of("id", id));
  }

  static ErrorResponseException expired(String id) {
    return problem(
        HttpStatus.SERVICE_UNAVAILABLE,
        "prompt-expired",
        "Prompt expired",
        "Prompt '" + id + "' passed its deadline before a worker could run it; retry later",
        Map.of("id", id));
  }

  static ErrorResponseException cancelled(String id) {
    return problem(
        HttpStatus.CONFLICT,
        "prompt-cancelled",
        "Prompt cancelled",
        "Prompt '" + id + "' was cancelled (DELETE /v1/prompts/" + id + ") before it finished",
        Map.of("id", id));
  }

  /** The problem for a result that is not a success. */
  static ErrorResponseException unsuccessful(String id, InferenceResult result) {
    return switch (result.status()) {
      case FAILED, SUCCEEDED -> failed(id, result.error());
      case EXPIRED -> expired(id);
      case CANCELLED -> cancelled(id);
    };
  }

  private static ErrorResponseException problem(
      HttpStatus status, String type, String title, String detail, Map<String, Object> properties) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create(BASE + type));
    problem.setTitle(title);
    properties.forEach(problem::setProperty);
    return new ErrorResponseException(status, problem, null);
  }
}
