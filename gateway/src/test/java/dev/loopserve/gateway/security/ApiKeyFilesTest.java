package dev.loopserve.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyFilesTest {

  static final String HASH = "a".repeat(64);

  @TempDir Path dir;

  @Test
  void readsOneKeyPerFileNamedByItsId() throws IOException {
    Files.writeString(
        dir.resolve("acme-ci"),
        """
        # CI pipeline of acme
        sha256=%s
        tenant=acme
        admin=false
        requests-per-second=2.5   # overrides the default
        burst=5
        max-in-flight=7
        max-prompt-chars=100
        """
            .formatted(HASH));
    Files.writeString(dir.resolve("ops"), "sha256=" + HASH.replace('a', 'b') + "\ntenant=ops\n");

    Map<String, AuthProperties.Key> keys = ApiKeyFiles.read(dir);

    assertThat(keys).containsOnlyKeys("acme-ci", "ops");
    assertThat(keys.get("acme-ci"))
        .isEqualTo(new AuthProperties.Key(HASH, "acme", false, 2.5, 5, 7, 100));
    assertThat(keys.get("ops"))
        .isEqualTo(
            new AuthProperties.Key(HASH.replace('a', 'b'), "ops", false, null, null, null, null));
  }

  @Test
  void skipsTheBookkeepingOfAMountedSecret() throws IOException {
    Path data = Files.createDirectory(dir.resolve("..2026_01_01_00_00_00.1"));
    Files.writeString(data.resolve("k1"), "sha256=" + HASH + "\ntenant=t\n");
    Files.createSymbolicLink(dir.resolve("..data"), data.getFileName());
    Files.createSymbolicLink(dir.resolve("k1"), Path.of("..data", "k1"));

    assertThat(ApiKeyFiles.read(dir)).containsOnlyKeys("k1");
  }

  @Test
  void aFileHoldingARawKeyFailsWithoutPrintingIt() {
    String rawKey = "sk-live-very-secret-0123456789";
    assertThatThrownBy(() -> ApiKeyFiles.parse("/keys/acme", List.of(rawKey)))
        .isInstanceOf(InvalidApiKeysException.class)
        .hasMessageContaining("/keys/acme line 1 is not name=value")
        .hasMessageNotContaining(rawKey);
    assertThatThrownBy(() -> ApiKeyFiles.parse("/keys/acme", List.of(rawKey + "=x")))
        .hasMessageContaining("unknown name")
        .hasMessageNotContaining(rawKey);
  }

  @Test
  void namesEveryProblemOfAFile() {
    assertThatThrownBy(
            () ->
                ApiKeyFiles.parse(
                    "/keys/k",
                    List.of("tenant=t", "tenant=u", "burst=0", "max-in-flight=lots", "admin=yes")))
        .isInstanceOf(InvalidApiKeysException.class)
        .hasMessageContaining("line 2 sets tenant a second time")
        .hasMessageContaining("burst must be a positive whole number")
        .hasMessageContaining("max-in-flight must be a positive whole number")
        .hasMessageContaining("admin must be true or false")
        .hasMessageContaining("sha256 is missing");
  }

  @Test
  void aMissingDirectoryOrABadFileNameFailsClearly() throws IOException {
    assertThatThrownBy(() -> ApiKeyFiles.read(dir.resolve("absent")))
        .isInstanceOf(InvalidApiKeysException.class)
        .hasMessageContaining("is not a readable directory");

    Files.writeString(dir.resolve("bad name"), "sha256=" + HASH + "\ntenant=t\n");
    assertThatThrownBy(() -> ApiKeyFiles.read(dir))
        .isInstanceOf(InvalidApiKeysException.class)
        .hasMessageContaining("the file name is the key id");
  }
}
