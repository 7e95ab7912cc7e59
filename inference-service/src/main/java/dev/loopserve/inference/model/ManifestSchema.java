package dev.loopserve.inference.model;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code schemas/model-package.schema.json}, the contract shared with the Python exporter. The
 * build copies it onto the classpath so the service and the trainer can never disagree on it.
 */
final class ManifestSchema {

  static final String RESOURCE = "/schemas/model-package.schema.json";

  private final Schema schema;

  private ManifestSchema(Schema schema) {
    this.schema = schema;
  }

  static ManifestSchema load() {
    try (InputStream in = ManifestSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath; rebuild the module");
      }
      var registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
      return new ManifestSchema(registry.getSchema(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One entry per violation, located by JSON pointer, e.g. {@code /recurrence/max: must have a
   * minimum value of 1}; empty if valid.
   */
  List<String> violations(JsonNode manifest) {
    return schema.validate(manifest).stream().map(ManifestSchema::describe).toList();
  }

  private static String describe(Error error) {
    String location = error.getInstanceLocation().toString();
    return (location.isEmpty() ? "/" : location) + ": " + error.getMessage();
  }
}
