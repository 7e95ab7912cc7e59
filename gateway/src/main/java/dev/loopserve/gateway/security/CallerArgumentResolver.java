package dev.loopserve.gateway.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Supplies the {@link Caller} that {@link ApiKeyFilter} left on the request. When authentication is
 * off every request is the anonymous caller of the default tenant; when it is on, a request that
 * reached a controller without a caller (a path the filter does not cover) is refused rather than
 * served as anyone.
 */
public class CallerArgumentResolver implements HandlerMethodArgumentResolver {

  private final Caller anonymous;

  /**
   * @param anonymous the caller when none was established, or null to refuse such requests (401)
   */
  public CallerArgumentResolver(Caller anonymous) {
    this.anonymous = anonymous;
  }

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.getParameterType() == Caller.class;
  }

  @Override
  public Caller resolveArgument(
      MethodParameter parameter,
      ModelAndViewContainer mavContainer,
      NativeWebRequest webRequest,
      WebDataBinderFactory binderFactory) {
    HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
    Object caller = request == null ? null : request.getAttribute(Caller.ATTRIBUTE);
    if (caller instanceof Caller c) {
      return c;
    }
    if (anonymous == null) {
      throw SecurityProblems.missingKey();
    }
    return anonymous;
  }
}
