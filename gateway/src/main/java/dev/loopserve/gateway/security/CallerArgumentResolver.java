package dev.loopserve.gateway.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Supplies the {@link Caller} that authentication left on the request. When authentication is off
 * (no API keys configured) every request is the anonymous caller of the default tenant.
 */
public class CallerArgumentResolver implements HandlerMethodArgumentResolver {

  private final Caller anonymous;

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
    return caller instanceof Caller c ? c : anonymous;
  }
}
