package dev.loopserve.gateway.model;

import dev.loopserve.gateway.GatewayProperties;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

  @Bean
  ModelCatalog modelCatalog(GatewayProperties properties) throws IOException {
    return new ModelCatalog(new ModelPackageReader().readAll(properties.modelsDir()));
  }
}
