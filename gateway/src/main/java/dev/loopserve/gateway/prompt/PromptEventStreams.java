package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.TokenEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent event streams of prompts: {@code queued}, {@code scheduled} (with the budget), one
 * {@code token} per generated token in index order (with {@code produced_at}, the epoch ms at which
 * the worker produced it, so a client can see how long the token took to reach it), and {@code
 * done}. Each stream is a {@link PromptFollowers follower}, so a client that connects late first
 * gets everything that already happened, and an event applied twice or while the stream is opening
 * is sent once.
 *
 * <p>Events are sent on the thread that applied the change (the Kafka reader), so a stalled client
 * delays the view by at most the servlet container's write timeout.
 */
class PromptEventStreams {

  private final PromptViews views;
  private final PromptFollowers followers;
  private final Duration timeout;

  /**
   * @param timeout how long a stream may stay open before the client must reconnect
   */
  PromptEventStreams(PromptViews views, PromptFollowers followers, Duration timeout) {
    this.views = views;
    this.followers = followers;
    this.timeout = timeout;
  }

  /**
   * @param tenant the caller's tenant; another tenant's prompt is unknown to it
   * @throws org.springframework.web.ErrorResponseException 404 for an unknown id
   */
  SseEmitter open(String id, String tenant) {
    if (views.find(id, tenant).isEmpty()) {
      throw Problems.unknownPrompt(id);
    }
    SseEmitter emitter = new SseEmitter(timeout.toMillis());
    PromptFollowers.Following following = followers.follow(id, new Stream(id, emitter));
    emitter.onCompletion(following::stop);
    emitter.onTimeout(following::stop);
    emitter.onError(e -> following.stop());
    return emitter;
  }

  /** Follows in progress, for all prompts: the open streams, and any other follower. */
  int openStreams() {
    return followers.following();
  }

  private static final class Stream implements PromptFollowers.ViewFollower {

    private final String id;
    private final SseEmitter emitter;
    private boolean queuedSent;
    private boolean scheduledSent;

    Stream(String id, SseEmitter emitter) {
      this.id = id;
      this.emitter = emitter;
    }

    @Override
    public void viewChanged(PromptView view) throws IOException {
      if (!queuedSent) {
        send("queued", data("id", id, "model", view.model(), "submitted_at", view.submittedAt()));
        queuedSent = true;
      }
      if (!scheduledSent && (view.scheduledAt() != null || view.budget() != null)) {
        send(
            "scheduled", data("budget", budget(view.budget()), "scheduled_at", view.scheduledAt()));
        scheduledSent = true;
      }
    }

    @Override
    public void token(TokenEvent token) throws IOException {
      send(
          "token",
          data(
              "index",
              token.index(),
              "text",
              token.text(),
              "steps",
              token.steps(),
              "exit_reason",
              token.exitReason(),
              "produced_at",
              token.at()));
    }

    @Override
    public void finished(InferenceResult result) throws IOException {
      send(
          "done",
          data(
              "status",
              PromptView.statusOf(result),
              "text",
              result.text(),
              "finish_reason",
              result.finishReason(),
              "error",
              result.error()));
      emitter.complete();
    }

    @Override
    public void failed(Exception e) {
      // The client went away or the emitter already ended: stop sending to it.
      emitter.completeWithError(e);
    }

    private void send(String name, Map<String, Object> data) throws IOException {
      emitter.send(SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON));
    }
  }

  private static Map<String, Object> budget(Budget b) {
    if (b == null) {
      return null;
    }
    return data(
        "min_steps",
        b.minSteps(),
        "max_steps",
        b.maxSteps(),
        "exit_state_delta",
        b.exitStateDelta(),
        "exit_kl",
        b.exitKl(),
        "warm_start",
        b.warmStart());
  }

  /** Snake_case keys spelled out, so the wire format does not depend on the mapper's naming. */
  private static Map<String, Object> data(Object... keysAndValues) {
    Map<String, Object> data = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (keysAndValues[i + 1] != null) {
        data.put((String) keysAndValues[i], keysAndValues[i + 1]);
      }
    }
    return data;
  }
}
