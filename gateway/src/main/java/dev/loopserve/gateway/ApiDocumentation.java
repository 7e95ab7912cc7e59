package dev.loopserve.gateway;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.loopserve.gateway.security.Caller;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Schema;
import java.util.List;
import java.util.Set;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;

/**
 * Makes the OpenAPI document ({@code /v3/api-docs}) show the API as clients see it. springdoc
 * describes schemas with its own Jackson 2 mapper, which knows nothing of the application's
 * snake_case naming (a Jackson 3 setting), and would list the resolved {@link Caller} as a request
 * parameter, and would describe Jackson's own tree type where a field takes a string or an array.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

  static {
    SpringDocUtils.getConfig()
        .addRequestWrapperToIgnore(Caller.class)
        // The fields read as a JsonNode take a string or an array of strings.
        .replaceWithSchema(
            JsonNode.class,
            new Schema<>()
                .oneOf(
                    List.of(
                        new Schema<>().types(Set.of("string")),
                        new Schema<>()
                            .types(Set.of("array"))
                            .items(new Schema<>().types(Set.of("string"))))));
  }

  @Bean
  ModelResolver snakeCaseModelResolver() {
    // springdoc writes OpenAPI 3.1, so the resolver must produce 3.1 schemas.
    return new ModelResolver(
            Json31.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE))
        .openapi31(true);
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
                        + " gets. Errors are RFC 9457 problem+json. Reviewed copy:"
                        + " docs/openapi.json."));
  }
}
