package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.InferenceResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * POSTs a finished prompt (the body {@code GET /v1/prompts/{id}} would return) to the callback URL
 * its client gave. Delivery is at least once: a receiver may see the same prompt twice and should
 * dedupe on the {@code Loopserve-Prompt-Id} header. A receiver that keeps failing is given up on
 * after the configured attempts; the result stays available by polling.
 */
class CallbackDelivery {

  private static final Logger log = LoggerFactory.getLogger(CallbackDelivery.class);
  static final String PROMPT_ID_HEADER = "Loopserve-Prompt-Id";
  private static final int VIEW_POLL_MILLIS = 20;
  private static final int VIEW_WAIT_MILLIS = 5_000;

  private final PromptViews views;
  private final HttpClient http;
  private final JsonMapper json;
  private final Duration timeout;
  private final int attempts;
  private final Duration backoff;
  private final LongConsumer sleeper;

  /**
   * @param timeout per attempt, for connecting and for the response
   * @param attempts tries per result, at least 1
   * @param backoff wait before the second attempt, doubled before each later one
   * @param sleeper waits the given milliseconds (injectable so tests need not wait)
   */
  CallbackDelivery(
      PromptViews views,
      HttpClient http,
      JsonMapper json,
      Duration timeout,
      int attempts,
      Duration backoff,
      LongConsumer sleeper) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be >= 1, was " + attempts);
    }
    this.views = views;
    this.http = http;
    this.json = json;
    this.timeout = timeout;
    this.attempts = attempts;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  /**
   * Delivers {@code result} if its prompt asked for a callback.
   *
   * @return whether a callback was acknowledged with a 2xx
   */
  boolean deliver(InferenceResult result) {
    Optional<PromptView> found = promptOf(result.requestId());
    if (found.isEmpty() || found.get().callbackUrl() == null) {
      return false;
    }
    // This replica's view may not have read the result yet; the response is as of the result.
    PromptView view = found.get().with(result);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(view.callbackUrl()))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header(PROMPT_ID_HEADER, view.id())
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(
                    json.writeValueAsBytes(PromptResponse.of(view))))
            .build();
    long wait = backoff.toMillis();
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status / 100 == 2) {
          return true;
        }
        log.warn("Callback for prompt {} answered {} (attempt {})", view.id(), status, attempt);
      } catch (IOException e) {
        log.warn(
            "Callback for prompt {} failed (attempt {}): {}", view.id(), attempt, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (attempt < attempts) {
        sleeper.accept(wait);
        wait *= 2;
      }
    }
    log.warn("Gave up on the callback for prompt {} after {} attempts", view.id(), attempts);
    return false;
  }

  /**
   * The prompt, once this replica's view has read it: results come from another consumer than the
   * view's, which may lag behind by a moment.
   */
  private Optional<PromptView> promptOf(String id) {
    for (int waited = 0; ; waited += VIEW_POLL_MILLIS) {
      Optional<PromptView> view = views.find(id).filter(v -> v.fingerprint() != null);
      if (view.isPresent() || waited >= VIEW_WAIT_MILLIS) {
        return view;
      }
      sleeper.accept(VIEW_POLL_MILLIS);
    }
  }
}
