package dev.loopserve.gateway;

import java.net.URI;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Renders every error as RFC 9457 problem+json, and makes validation problems name the offending
 * fields the way clients spell them (snake_case).
 */
@RestControllerAdvice
class ProblemHandling extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandling.class);

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    String detail =
        ex.getBindingResult().getFieldErrors().stream()
            .map(e -> snakeCase(e.getField()) + " " + e.getDefaultMessage())
            .sorted()
            .collect(Collectors.joining("; "));
    ProblemDetail problem = ex.getBody();
    problem.setDetail(detail.isEmpty() ? "Invalid request content" : detail);
    return handleExceptionInternal(ex, problem, headers, status, request);
  }

  /**
   * Says what was wrong with an unreadable body: which field is unknown or of the wrong type, where
   * the JSON is malformed, or that the bytes are not UTF-8; the parser's own message is not shown,
   * since it names Java types.
   */
  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    BodySizeLimit.TooLargeException tooLarge = cause(ex, BodySizeLimit.TooLargeException.class);
    if (tooLarge != null) {
      ProblemDetail problem =
          ProblemDetail.forStatusAndDetail(
              HttpStatus.PAYLOAD_TOO_LARGE,
              "The body is larger than this endpoint accepts (" + tooLarge.getMessage() + ")");
      problem.setType(URI.create("https://loopserve.dev/problems/body-too-large"));
      problem.setTitle("Request body too large");
      return handleExceptionInternal(ex, problem, headers, HttpStatus.PAYLOAD_TOO_LARGE, request);
    }
    ProblemDetail problem = ProblemDetail.forStatus(status);
    problem.setType(URI.create("https://loopserve.dev/problems/unreadable-body"));
    problem.setTitle("Unreadable request body");
    problem.setDetail(describe(ex));
    return handleExceptionInternal(ex, problem, headers, status, request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(
      HttpMediaTypeNotSupportedException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    ProblemDetail problem = ex.getBody();
    problem.setDetail(
        "Content-Type '"
            + ex.getContentType()
            + "' is not accepted here; send "
            + ex.getSupportedMediaTypes().stream()
                .map(Object::toString)
                .collect(Collectors.joining(" or ")));
    return handleExceptionInternal(ex, problem, headers, status, request);
  }

  /**
   * Anything unforeseen is a 500 problem that reveals nothing of the server (no exception text, no
   * stack trace); the log has the details, under an id the client can quote.
   */
  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> handleUnexpected(Exception ex, WebRequest request) {
    String incident = UUID.randomUUID().toString();
    log.error("Unexpected failure, incident {}", incident, ex);
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.INTERNAL_SERVER_ERROR,
            "The gateway failed unexpectedly; retry, and quote incident "
                + incident
                + " if it persists");
    problem.setType(URI.create("https://loopserve.dev/problems/internal"));
    problem.setTitle("Internal error");
    problem.setProperty("incident", incident);
    return handleExceptionInternal(
        ex, problem, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, request);
  }

  static String describe(HttpMessageNotReadableException ex) {
    UnrecognizedPropertyException unknown = cause(ex, UnrecognizedPropertyException.class);
    if (unknown != null) {
      String known =
          unknown.getKnownPropertyIds() == null
              ? ""
              : "; known fields here: "
                  + unknown.getKnownPropertyIds().stream()
                      .map(String::valueOf)
                      .sorted()
                      .collect(Collectors.joining(", "));
      return "Unknown field '" + path(unknown) + "'" + known;
    }
    MismatchedInputException mismatch = cause(ex, MismatchedInputException.class);
    if (mismatch != null && !mismatch.getPath().isEmpty()) {
      return "Field '"
          + path(mismatch)
          + "' must be "
          + expected(mismatch.getTargetType())
          + (mismatch instanceof InvalidFormatException bad && bad.getValue() != null
              ? ", not '" + bad.getValue() + "'"
              : "");
    }
    JacksonException json = cause(ex, JacksonException.class);
    if (json != null) {
      String why = String.valueOf(json.getOriginalMessage());
      if (why.contains("UTF-8") || why.contains("UTF8")) {
        return "The body is not valid UTF-8; encode the JSON as UTF-8";
      }
      var where = json.getLocation();
      return "Malformed JSON"
          + (where == null
              ? ""
              : " at line " + where.getLineNr() + ", column " + where.getColumnNr())
          + ": "
          + why.lines().findFirst().orElse("");
    }
    return ex.getMessage() != null && ex.getMessage().startsWith("Required request body is missing")
        ? "The request body is missing; send a JSON object"
        : "The request body could not be read as JSON";
  }

  private static String path(JacksonException e) {
    StringBuilder out = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        out.append(out.isEmpty() ? "" : ".").append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "of another type";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type.isEnum()) {
      return "one of "
          + java.util.Arrays.stream(type.getEnumConstants())
              .map(c -> ((Enum<?>) c).name().toLowerCase(java.util.Locale.ROOT))
              .collect(Collectors.joining(", "));
    }
    if (type == java.time.Instant.class) {
      return "an RFC 3339 timestamp such as 2026-01-31T12:00:00Z";
    }
    if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "an object";
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  static String snakeCase(String field) {
    return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
  }
}
