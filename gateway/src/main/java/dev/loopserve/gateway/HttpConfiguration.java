package dev.loopserve.gateway;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class HttpConfiguration {

  @Bean
  BodySizeLimit bodySizeLimit(GatewayProperties properties) {
    return new BodySizeLimit(properties.maxBodySize());
  }
}
