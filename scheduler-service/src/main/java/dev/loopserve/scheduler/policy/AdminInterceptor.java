package dev.loopserve.scheduler.policy;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Refuses a change of policy without the admin credential, before its body is even read (so an
 * unauthenticated caller learns nothing about what a valid override looks like).
 */
final class AdminInterceptor implements HandlerInterceptor {

  private final AdminCredential credential;

  AdminInterceptor(AdminCredential credential) {
    this.credential = credential;
  }

  @Override
  public boolean preHandle(
      HttpServletRequest request, HttpServletResponse response, Object handler) {
    if ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod())) {
      return true;
    }
    if (credential.accepts(request.getHeader(HttpHeaders.AUTHORIZATION))) {
      return true;
    }
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.UNAUTHORIZED, "Changing the policy needs the admin bearer token");
    problem.setTitle("Unauthorized");
    ErrorResponseException refused =
        new ErrorResponseException(HttpStatus.UNAUTHORIZED, problem, null);
    refused.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"loopserve-scheduler\"");
    throw refused;
  }
}
