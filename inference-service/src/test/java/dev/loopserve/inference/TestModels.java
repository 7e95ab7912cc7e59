package dev.loopserve.inference;

import ai.onnxruntime.OrtEnvironment;
import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.model.ModelPackageLoader;
import dev.loopserve.inference.model.OrtOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped demo package, found from the module or the repository root. */
public final class TestModels {

  private static LoadedModel demo;

  private TestModels() {}

  public static Path modelsDir() {
    for (Path candidate : new Path[] {Path.of("../models"), Path.of("models")}) {
      if (Files.isRegularFile(candidate.resolve("loop-demo/model.json"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "models/loop-demo not found from " + Path.of("").toAbsolutePath());
  }

  public static Path demoDir() {
    return modelsDir().resolve("loop-demo");
  }

  /** Loaded once per JVM and never closed: sessions are shared by the tests that need them. */
  public static synchronized LoadedModel demo() {
    if (demo == null) {
      demo =
          new ModelPackageLoader(OrtEnvironment.getEnvironment(), new OrtOptions(1, false))
              .load(demoDir());
    }
    return demo;
  }
}
