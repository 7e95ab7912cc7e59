package dev.loopserve.gateway.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Establishes the {@link Caller} of every request on the public port and enforces what depends only
 * on the key: authentication (401), admin routes (403) and the key's request rate (429 with
 * Retry-After). The caller is left in the request attribute {@link Caller#ATTRIBUTE}.
 *
 * <p>The OpenAPI document and Swagger UI need no key. Actuator runs on the management port, a
 * separate server this filter is not registered with, so probes never need a key.
 *
 * <p>Problems are rendered by Spring MVC's exception resolvers, so they look exactly like those the
 * controllers raise.
 */
final class ApiKeyFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(ApiKeyFilter.class);
  private static final String BEARER = "bearer ";
  static final String API_KEY_HEADER = "X-API-Key";

  private final ApiKeys keys;
  private final Caller anonymous;
  private final KeyRateLimiter limiter;
  private final HandlerExceptionResolver problems;

  /**
   * @param keys the keys to accept, or null when authentication is off
   * @param anonymous every request's caller when authentication is off
   * @param problems renders a rejection as problem+json
   */
  ApiKeyFilter(
      ApiKeys keys, Caller anonymous, KeyRateLimiter limiter, HandlerExceptionResolver problems) {
    this.keys = keys;
    this.anonymous = anonymous;
    this.limiter = limiter;
    this.problems = problems;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return isPublic(segments(request));
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Caller caller;
    try {
      caller = authenticate(request);
      if (isAdmin(segments(request)) && !caller.admin()) {
        throw SecurityProblems.adminOnly(caller);
      }
      KeyRateLimiter.Decision rate = limiter.tryAcquire(caller.keyId(), caller.limits());
      if (!rate.allowed()) {
        throw SecurityProblems.rateLimited(caller, rate.retryAfterSeconds());
      }
    } catch (ErrorResponseException rejected) {
      log.debug(
          "{} {} rejected: {}",
          request.getMethod(),
          request.getRequestURI(),
          rejected.getBody().getTitle());
      if (problems.resolveException(request, response, null, rejected) == null) {
        response.sendError(rejected.getStatusCode().value());
      }
      return;
    }
    request.setAttribute(Caller.ATTRIBUTE, caller);
    chain.doFilter(request, response);
  }

  private Caller authenticate(HttpServletRequest request) {
    if (keys == null) {
      return anonymous;
    }
    String presented = presentedKey(request);
    return keys.find(presented)
        .map(ApiKey::caller)
        .orElseThrow(() -> SecurityProblems.invalidKey("The API key is not valid"));
  }

  /** The key from {@code Authorization: Bearer} or, failing that header, {@code X-API-Key}. */
  private static String presentedKey(HttpServletRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null) {
      if (!authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)
          || authorization.substring(BEARER.length()).isBlank()) {
        throw SecurityProblems.invalidKey("The Authorization header is not 'Bearer <key>'");
      }
      return authorization.substring(BEARER.length()).strip();
    }
    String header = request.getHeader(API_KEY_HEADER);
    if (header == null) {
      throw SecurityProblems.missingKey();
    }
    if (header.isBlank()) {
      throw SecurityProblems.invalidKey("The X-API-Key header is empty");
    }
    return header.strip();
  }

  /**
   * The decoded path segments without path parameters, as Spring MVC matches them: a check on the
   * raw URI could be dodged with {@code /%61dmin} or {@code /admin;x}.
   */
  private static List<String> segments(HttpServletRequest request) {
    return RequestPath.parse(request.getRequestURI(), request.getContextPath())
        .pathWithinApplication()
        .elements()
        .stream()
        .filter(PathContainer.PathSegment.class::isInstance)
        .map(e -> ((PathContainer.PathSegment) e).valueToMatch())
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static boolean isPublic(List<String> path) {
    if (path.isEmpty() || path.contains("..")) {
      return false;
    }
    return switch (path.get(0)) {
      case "v3" -> path.size() >= 2 && path.get(1).equals("api-docs");
      case "swagger-ui", "swagger-ui.html" -> true;
      default -> false;
    };
  }

  private static boolean isAdmin(List<String> path) {
    return !path.isEmpty() && path.get(0).equals("admin");
  }
}
