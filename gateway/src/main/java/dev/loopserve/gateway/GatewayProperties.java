package dev.loopserve.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Gateway settings ({@code loopserve.gateway.*}).
 *
 * @param modelsDir directory of model packages ({@code <name>/model.json}); each is servable
 * @param defaultMaxTokens tokens to generate when a request names no {@code max_tokens} (clamped to
 *     what the context leaves)
 * @param submitTimeout how long a submission waits for Kafka to acknowledge the prompt before the
 *     client gets 503
 * @param tenant tenant recorded on prompts until API keys exist
 * @param eventStreamTimeout how long a {@code /v1/prompts/{id}/events} stream stays open before the
 *     client must reconnect (it replays from the start)
 * @param retention how many finished prompts the in-memory view keeps, and for how long
 * @param completionTimeout how long {@code POST /v1/completions} waits for the result (streamed or
 *     not) before answering 504 with the prompt id; the prompt is not cancelled and can be polled
 * @param heartbeatTimeout an inference worker silent this long no longer makes its model listed by
 *     {@code GET /v1/models} (workers report every 3 s by default)
 */
@Validated
@ConfigurationProperties("loopserve.gateway")
public record GatewayProperties(
    @NotNull @DefaultValue("models") Path modelsDir,
    @Positive @DefaultValue("16") int defaultMaxTokens,
    @NotNull @DefaultValue("5s") Duration submitTimeout,
    @NotBlank @DefaultValue("default") String tenant,
    @NotNull @DefaultValue("30m") Duration eventStreamTimeout,
    @Valid @NotNull @DefaultValue Retention retention,
    @NotNull @DurationMin(millis = 1) @DefaultValue("60s") Duration completionTimeout,
    @NotNull @DurationMin(millis = 1) @DefaultValue("10s") Duration heartbeatTimeout) {

  /**
   * Bounds the view's memory: the oldest finished prompts are forgotten first (their {@code GET}
   * answers 404 afterwards). Prompts in flight are always kept.
   *
   * @param maxFinished finished prompts kept at most
   * @param maxAge how long a finished prompt is kept after this replica learned its result
   */
  public record Retention(
      @Positive @DefaultValue("100000") int maxFinished,
      @NotNull @DefaultValue("1h") Duration maxAge) {}
}
