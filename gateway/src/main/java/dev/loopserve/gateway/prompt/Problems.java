package dev.loopserve.gateway.prompt;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The RFC 9457 problems the prompt API answers with; Spring MVC renders them. */
final class Problems {

  private static final String BASE = "https://loopserve.dev/problems/";

  private Problems() {}

  static ErrorResponseException unknownModel(String model, Iterable<String> known) {
    return problem(
        HttpStatus.NOT_FOUND,
        "unknown-model",
        "Unknown model",
        "Model '" + model + "' is not served here; known models: " + String.join(", ", known),
        Map.of("model", model));
  }

  static ErrorResponseException invalid(String detail, Map<String, Object> properties) {
    return problem(
        HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail, properties);
  }

  static ErrorResponseException contextLength(String detail, Map<String, Object> properties) {
    return problem(
        HttpStatus.BAD_REQUEST, "context-length", "Context length exceeded", detail, properties);
  }

  static ErrorResponseException unknownPrompt(String id) {
    return problem(
        HttpStatus.NOT_FOUND,
        "unknown-prompt",
        "Unknown prompt",
        "No prompt with id '" + id + "' is known",
        Map.of("id", id));
  }

  static ErrorResponseException alreadyFinished(String id, PromptStatus status) {
    String name = status.name().toLowerCase(Locale.ROOT);
    return problem(
        HttpStatus.CONFLICT,
        "already-finished",
        "Prompt already finished",
        "Prompt '" + id + "' has already finished (" + name + "); there is nothing to cancel",
        Map.of("id", id, "status", name));
  }

  static ErrorResponseException idempotencyKeyReused(String key, String id) {
    return problem(
        HttpStatus.CONFLICT,
        "idempotency-key-reused",
        "Idempotency-Key reused with a different body",
        "Idempotency-Key '"
            + key
            + "' was first used for a different request (prompt '"
            + id
            + "'); retry with the identical body, or use a new key for a new request",
        Map.of("id", id));
  }

  static ErrorResponseException overloaded(
      String detail, long retryAfterSeconds, Map<String, Object> properties) {
    ErrorResponseException e =
        problem(HttpStatus.TOO_MANY_REQUESTS, "overloaded", "Model overloaded", detail, properties);
    e.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
    return e;
  }

  static ErrorResponseException deadlineUnreachable(String detail, Map<String, Object> properties) {
    return problem(
        HttpStatus.SERVICE_UNAVAILABLE,
        "deadline-unreachable",
        "Deadline cannot be met",
        detail,
        properties);
  }

  static ErrorResponseException promptTooLarge(int chars, int max, String keyId) {
    return problem(
        HttpStatus.CONTENT_TOO_LARGE,
        "prompt-too-large",
        "Prompt too large",
        "The prompt has "
            + chars
            + " characters but API key '"
            + keyId
            + "' allows at most "
            + max
            + "; shorten it",
        Map.of("prompt_chars", chars, "max_prompt_chars", max));
  }

  /**
   * Retry-After is a guess: when the tenant's prompts finish depends on the queue, not on a clock.
   * Clients can instead wait for one of their prompts' {@code done} events.
   */
  static ErrorResponseException tooManyInFlight(
      String tenant, int inFlight, int max, String keyId) {
    ErrorResponseException e =
        problem(
            HttpStatus.TOO_MANY_REQUESTS,
            "too-many-in-flight",
            "Too many prompts in flight",
            "Tenant '"
                + tenant
                + "' has "
                + inFlight
                + " prompts queued or running and API key '"
                + keyId
                + "' allows "
                + max
                + "; wait for some to finish (poll or stream them) or cancel some, then retry",
            Map.of("in_flight", inFlight, "max_in_flight", max));
    e.getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
    return e;
  }

  static ErrorResponseException kafkaUnavailable(String detail) {
    ErrorResponseException e =
        problem(
            HttpStatus.SERVICE_UNAVAILABLE,
            "unavailable",
            "Temporarily unavailable",
            detail,
            Map.of());
    e.getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
    return e;
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
