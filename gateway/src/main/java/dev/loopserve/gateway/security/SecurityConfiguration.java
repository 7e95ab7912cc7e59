package dev.loopserve.gateway.security;

import dev.loopserve.gateway.GatewayProperties;
import java.time.Clock;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class SecurityConfiguration implements WebMvcConfigurer {

  private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

  private final ApiKeys keys;
  private final Caller anonymous;

  SecurityConfiguration(GatewayProperties gateway, AuthProperties auth) {
    this.keys = auth.enabled() ? ApiKeys.load(auth) : ApiKeys.none();
    // Without keys, load cannot be told apart by caller: only the prompt size stays bounded.
    this.anonymous =
        new Caller(gateway.tenant(), "anonymous", false, auth.limits().promptSizeOnly());
    if (keys.isEmpty()) {
      log.warn(
          "API-key authentication is OFF ({}): every request acts for tenant '{}' without rate or"
              + " in-flight limits, and admin routes are closed",
          auth.enabled()
              ? "no keys in loopserve.gateway.auth.keys or keys-dir"
              : "loopserve.gateway.auth.enabled=false",
          gateway.tenant());
    } else {
      log.info(
          "API-key authentication on: {} keys ({} admin) for tenants {}",
          keys.all().size(),
          keys.all().stream().filter(ApiKey::admin).count(),
          new TreeSet<>(keys.all().stream().map(ApiKey::tenant).toList()));
    }
  }

  @Bean
  ApiKeys apiKeys() {
    return keys;
  }

  @Bean
  FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(
      Clock clock, @Lazy @Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems) {
    ApiKeyFilter filter =
        new ApiKeyFilter(
            keys.isEmpty() ? null : keys, anonymous, new KeyRateLimiter(clock), problems);
    FilterRegistrationBean<ApiKeyFilter> registration = new FilterRegistrationBean<>(filter);
    // After Spring's request-context and observation filters, so rejections are still measured.
    registration.setOrder(0);
    return registration;
  }

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(new CallerArgumentResolver(keys.isEmpty() ? anonymous : null));
  }
}
