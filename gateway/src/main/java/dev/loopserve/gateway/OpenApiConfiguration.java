package dev.loopserve.gateway;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.loopserve.gateway.security.Caller;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document served at {@code /v3/api-docs} (reviewed copy: docs/openapi.json). */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

  static {
    // The caller comes from the credentials, not from a parameter the client sends.
    SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
  }

  /**
   * swagger-core models types with its own (Jackson 2) mapper, which knows nothing of the
   * application's snake_case naming; without this the document would name every field wrongly.
   */
  @Bean
  ModelResolver snakeCaseModelResolver() {
    return new ModelResolver(
        Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
  }

  @Bean
  OpenAPI loopserveOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("loopserve gateway")
                .version("v1")
                .description(
                    "Serves looped (recurrent-depth) language models: queue prompts, poll or"
                        + " stream their results, and choose how many recurrences each token"
                        + " gets. Errors are RFC 9457 problem+json."));
  }
}
