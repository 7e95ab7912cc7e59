package dev.loopserve.scheduler.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.policy.ModelProfile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ModelManifestsTest {

  @Test
  void readsTheShippedPackagesRangeAndExitThresholds() {
    ModelProfile demo = ModelManifests.read(Path.of("../models")).find("loop-demo").orElseThrow();

    assertThat(demo.recurrence().min()).isEqualTo(1);
    assertThat(demo.recurrence().defaultSteps()).isEqualTo(4);
    assertThat(demo.recurrence().max()).isEqualTo(32);
    assertThat(demo.exit().stateDelta()).isEqualTo(0.05);
    // Priced at maxTokens unless a typical length is configured.
    assertThat(demo.cost().workSteps(4, 8)).isEqualTo(8 * 5.0);
    assertThat(
            ModelManifests.read(Path.of("../models"), 2)
                .find("loop-demo")
                .orElseThrow()
                .cost()
                .workSteps(4, 8))
        .isEqualTo(2 * 5.0);
  }

  @Test
  void aMissingDirectoryMeansNoPackages() {
    assertThat(ModelManifests.read(Path.of("no-such-dir")).names()).isEmpty();
  }
}
