package dev.loopserve.gateway.security;

import dev.loopserve.gateway.GatewayProperties;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class SecurityConfiguration implements WebMvcConfigurer {

  private final GatewayProperties properties;

  SecurityConfiguration(GatewayProperties properties) {
    this.properties = properties;
  }

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(new CallerArgumentResolver(new Caller(properties.tenant(), "anonymous", false)));
  }
}
