package dev.loopserve.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The served OpenAPI document covers exactly the gateway's routes, and equals the reviewed copy in
 * {@code docs/openapi.json}; so an API change shows up in review as a change to that file. When
 * this fails after a deliberate change, copy {@code gateway/target/openapi.json} over it.
 */
@SpringBootTest(
    properties = {
      "loopserve.gateway.models-dir=src/test/resources/models",
      // No broker: the document does not need one, and the view reader just retries.
      "spring.kafka.bootstrap-servers=127.0.0.1:9"
    })
@AutoConfigureMockMvc
class OpenApiDocumentTest {

  private static final Path REVIEWED = Path.of("../docs/openapi.json");
  private static final Path SERVED = Path.of("target/openapi.json");

  @Autowired MockMvc mvc;

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  private final JsonMapper json =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private JsonNode served() throws Exception {
    String body = mvc.perform(get("/v3/api-docs")).andReturn().getResponse().getContentAsString();
    return json.readTree(body);
  }

  @Test
  void documentsEveryRouteOfTheControllersAndNoOther() throws Exception {
    Set<String> routes = new TreeSet<>();
    mappings
        .getHandlerMethods()
        .forEach(
            (info, method) -> {
              if (method.getBeanType().getPackageName().startsWith("dev.loopserve.gateway")) {
                for (String path : info.getPatternValues()) {
                  info.getMethodsCondition()
                      .getMethods()
                      .forEach(m -> routes.add(m.name() + " " + path));
                }
              }
            });
    Set<String> documented = new TreeSet<>();
    served()
        .get("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .propertyNames()
                    .forEach(
                        verb ->
                            documented.add(verb.toUpperCase(Locale.ROOT) + " " + path.getKey())));

    assertThat(routes).isNotEmpty();
    assertThat(documented).isEqualTo(routes);
  }

  @Test
  void equalsTheReviewedCopy() throws Exception {
    JsonNode served = served();
    // The server URL is wherever this test ran; the reviewed copy leaves it out.
    ((tools.jackson.databind.node.ObjectNode) served).remove("servers");
    String canonical = json.writeValueAsString(json.treeToValue(served, Object.class)) + "\n";
    Files.createDirectories(SERVED.getParent());
    Files.writeString(SERVED, canonical);
    assertThat(REVIEWED)
        .as(
            "docs/openapi.json is out of step with the controllers; review and copy "
                + SERVED.toAbsolutePath()
                + " over it")
        .exists();
    assertThat(Files.readString(REVIEWED)).isEqualTo(canonical);
  }
}
