package dev.loopserve.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Gateway settings ({@code loopserve.gateway.*}).
 *
 * @param modelsDir directory of model packages ({@code <name>/model.json}); each is servable
 * @param defaultMaxTokens tokens to generate when a request names no {@code max_tokens} (clamped to
 *     what the context leaves)
 * @param submitTimeout how long a submission waits for Kafka to acknowledge the prompt before the
 *     client gets 503
 * @param tenant tenant of every request while authentication is off (no API keys configured)
 * @param eventStreamTimeout how long a {@code /v1/prompts/{id}/events} stream stays open before the
 *     client must reconnect (it replays from the start)
 * @param retention how many finished prompts the in-memory view keeps, and for how long
 * @param backpressure when submissions are refused because a model cannot keep up
 * @param maxBodySize the largest request body accepted (413 beyond it)
 * @param callbacks how results are POSTed to the callback URLs clients give
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
    @Valid @NotNull @DefaultValue Backpressure backpressure,
    @NotNull @DefaultValue("1MB") DataSize maxBodySize,
    @Valid @NotNull @DefaultValue Callbacks callbacks,
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

  /**
   * Load shedding at the door: 429 with a Retry-After derived from the measured drain rate, rather
   * than a queue that grows until every prompt misses its target.
   *
   * @param maxQueued prompts per model accepted and not yet finished (suite-wide) before new ones
   *     are refused
   * @param maxDegradation refuse a priority's prompts once the scheduler has cut its recurrence
   *     this far toward the model's minimum (0..1); unset never refuses on degradation
   * @param drainWindow how far back finished results count toward a model's drain rate
   * @param fallbackRetryAfter Retry-After when no result finished within the window
   * @param maxRetryAfter the longest Retry-After suggested
   */
  public record Backpressure(
      @Positive @DefaultValue("2000") int maxQueued,
      @DecimalMin("0") @DecimalMax("1") Double maxDegradation,
      @NotNull @DefaultValue("30s") Duration drainWindow,
      @NotNull @DefaultValue("5s") Duration fallbackRetryAfter,
      @NotNull @DefaultValue("60s") Duration maxRetryAfter) {}

  /**
   * Result callbacks, delivered at least once by whichever replica owns the result's partition.
   *
   * @param allowedHosts hosts a {@code callback_url} may name; empty allows any (restrict it where
   *     the gateway can reach internal services)
   * @param timeout per attempt, for connecting and for the response
   * @param attempts tries per result before giving up (the result stays available by polling)
   * @param backoff wait before the second attempt, doubled before each later one
   */
  public record Callbacks(
      @NotNull @DefaultValue List<String> allowedHosts,
      @NotNull @DefaultValue("5s") Duration timeout,
      @Positive @DefaultValue("3") int attempts,
      @NotNull @DefaultValue("1s") Duration backoff) {}
}
