package dev.loopserve.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

  private static final Limits DEFAULTS = new Limits(10, 20, 30, 40);

  @TempDir Path dir;

  static String sha256(String key) {
    return HexFormat.of().formatHex(ApiKeys.sha256(key));
  }

  private static AuthProperties.Key key(String rawKey, String tenant) {
    return new AuthProperties.Key(sha256(rawKey), tenant, false, null, null, null, null);
  }

  @Test
  void findsTheKeyWhoseHashMatchesAndNothingElse() {
    ApiKeys keys =
        ApiKeys.of(
            Map.of(
                "a",
                key("key-of-a", "tenant-a"),
                "b",
                new AuthProperties.Key(
                    sha256("key-of-b").toUpperCase(), "tenant-b", true, null, 3, null, null)),
            DEFAULTS);

    assertThat(keys.find("key-of-a")).contains(new ApiKey("a", "tenant-a", false, DEFAULTS));
    assertThat(keys.find("key-of-b"))
        .as("upper-case hex is accepted; overrides replace only what they set")
        .contains(new ApiKey("b", "tenant-b", true, new Limits(10, 3, 30, 40)));
    assertThat(keys.find("key-of-c")).isEmpty();
    assertThat(keys.find(sha256("key-of-a"))).as("the hash itself is no key").isEmpty();
    assertThat(keys.all()).extracting(ApiKey::id).containsExactly("a", "b");
  }

  @Test
  void loadsInlineKeysAndTheKeysDirectoryTogether() throws IOException {
    Files.writeString(dir.resolve("filed"), "sha256=" + sha256("k2") + "\ntenant=t2\n");
    AuthProperties properties =
        new AuthProperties(true, dir, Map.of("inline", key("k1", "t1")), DEFAULTS);

    ApiKeys keys = ApiKeys.load(properties);

    assertThat(keys.find("k1").orElseThrow().tenant()).isEqualTo("t1");
    assertThat(keys.find("k2").orElseThrow().id()).isEqualTo("filed");
  }

  @Test
  void refusesAmbiguousOrMalformedKeysWithoutPrintingThem() throws IOException {
    assertThatThrownBy(
            () -> ApiKeys.of(Map.of("a", key("same", "t1"), "b", key("same", "t2")), DEFAULTS))
        .isInstanceOf(InvalidApiKeysException.class)
        .hasMessageContaining("'a' and 'b' have the same sha256");

    String notAHash = "sk-live-0123456789";
    assertThatThrownBy(
            () ->
                ApiKeys.of(
                    Map.of(
                        "a", new AuthProperties.Key(notAHash, "t", false, null, null, null, null)),
                    DEFAULTS))
        .isInstanceOf(InvalidApiKeysException.class)
        .hasMessageContaining("sha256 must be 64 hexadecimal digits")
        .hasMessageNotContaining(notAHash);

    String sha256sumOutput = sha256("k") + "  -";
    assertThatThrownBy(
            () ->
                ApiKeys.of(
                    Map.of(
                        "a",
                        new AuthProperties.Key(
                            sha256sumOutput, "t", false, null, null, null, null)),
                    DEFAULTS))
        .hasMessageContaining("looks like sha256sum output");

    Files.writeString(dir.resolve("dup"), "sha256=" + sha256("k2") + "\ntenant=t2\n");
    assertThatThrownBy(
            () ->
                ApiKeys.load(
                    new AuthProperties(true, dir, Map.of("dup", key("k1", "t")), DEFAULTS)))
        .hasMessageContaining("'dup' is configured both inline");
  }

  @Test
  void anEmptyKeysDirectoryFailsRatherThanOpeningTheGateway() {
    assertThatThrownBy(() -> ApiKeys.load(new AuthProperties(true, dir, Map.of(), DEFAULTS)))
        .isInstanceOf(InvalidApiKeysException.class)
        .hasMessageContaining("holds no key files");
  }
}
