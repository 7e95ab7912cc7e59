package dev.loopserve.gateway.security;

import java.net.URI;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** The RFC 9457 problems of authentication, authorization and rate limiting. */
public final class SecurityProblems {

  private static final String BASE = "https://loopserve.dev/problems/";
  private static final String HOW =
      "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'";

  private SecurityProblems() {}

  static ErrorResponseException missingKey() {
    ErrorResponseException e =
        problem(
            HttpStatus.UNAUTHORIZED,
            "unauthorized",
            "API key required",
            "This gateway needs an API key: " + HOW,
            Map.of());
    e.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"loopserve\"");
    return e;
  }

  static ErrorResponseException invalidKey(String why) {
    ErrorResponseException e =
        problem(
            HttpStatus.UNAUTHORIZED,
            "unauthorized",
            "Invalid API key",
            why + "; " + HOW + " with a key the operator issued",
            Map.of());
    e.getHeaders()
        .set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"loopserve\", error=\"invalid_token\"");
    return e;
  }

  /** A caller that is known but may not use admin routes. */
  public static ErrorResponseException adminOnly(Caller caller) {
    return problem(
        HttpStatus.FORBIDDEN,
        "forbidden",
        "Admin key required",
        "Admin routes need an API key marked admin; key '"
            + caller.keyId()
            + "' is not one"
            + ("anonymous".equals(caller.keyId())
                ? " (authentication is off: configure an admin key in loopserve.gateway.auth)"
                : ""),
        Map.of("key_id", caller.keyId()));
  }

  static ErrorResponseException rateLimited(Caller caller, long retryAfterSeconds) {
    Limits limits = caller.limits();
    ErrorResponseException e =
        problem(
            HttpStatus.TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            "API key '"
                + caller.keyId()
                + "' may make "
                + formatRate(limits.requestsPerSecond())
                + " requests per second in bursts of up to "
                + limits.burst()
                + "; retry after "
                + retryAfterSeconds
                + " s, or spread requests out (stream events instead of polling)",
            Map.of(
                "key_id",
                caller.keyId(),
                "requests_per_second",
                limits.requestsPerSecond(),
                "burst",
                limits.burst()));
    e.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
    return e;
  }

  private static String formatRate(double rate) {
    return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
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
