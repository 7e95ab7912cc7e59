package dev.loopserve.policy.simulation;

import dev.loopserve.policy.ModelProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reads the parts of a model package's model.json the policy needs. */
public final class ModelPackage {
  private ModelPackage() {}

  /**
   * The profile from a model.json: name, recurrence {min, default, max} and exit thresholds;
   * prelude + coda priced at 1 core step per token (the demo model's layer counts).
   */
  public static ModelProfile profile(Path modelJson) throws IOException {
    Object root = Json.parse(Files.readString(modelJson));
    if (!(root instanceof Map<?, ?> m) || !(m.get("recurrence") instanceof Map<?, ?> rec)) {
      throw new IllegalArgumentException(modelJson + " has no recurrence object");
    }
    ModelProfile.Builder b =
        ModelProfile.builder(String.valueOf(m.get("name")))
            .recurrence(integer(rec, "min"), integer(rec, "default"), integer(rec, "max"))
            .cost(1.0, 0);
    if (m.get("exit") instanceof Map<?, ?> exit
        && exit.get("state_delta") instanceof Double sd
        && exit.get("kl") instanceof Double kl) {
      b.exit(sd, kl);
    }
    return b.build();
  }

  private static int integer(Map<?, ?> m, String key) {
    if (!(m.get(key) instanceof Double d)) {
      throw new IllegalArgumentException("recurrence." + key + " missing");
    }
    return (int) Math.round(d);
  }
}
