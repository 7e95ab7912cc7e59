package dev.loopserve.scheduler.policy;

import dev.loopserve.policy.UnknownModelException;
import dev.loopserve.scheduler.budget.InvalidOverrideException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Renders every error of the policy API as RFC 9457 problem+json: malformed bodies (from the base
 * class), overrides that do not fit the manifest, unknown models and unknown priority classes.
 */
@RestControllerAdvice
class PolicyProblems extends ResponseEntityExceptionHandler {

  @ExceptionHandler(UnknownModelException.class)
  ProblemDetail unknownModel(UnknownModelException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    p.setTitle("Unknown model");
    return p;
  }

  @ExceptionHandler(InvalidOverrideException.class)
  ProblemDetail invalidOverride(InvalidOverrideException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setTitle("Invalid policy override");
    p.setProperty("problems", e.problems());
    return p;
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ProblemDetail invalidArgument(IllegalArgumentException e) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
    p.setTitle("Invalid policy override");
    return p;
  }
}
