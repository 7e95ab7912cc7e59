package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.TokenEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent event streams of prompts: {@code queued}, {@code scheduled} (with the budget), one
 * {@code token} per generated token in index order (with {@code produced_at}, the epoch ms at which
 * the worker produced it, so a client can see how long the token took to reach it), and {@code
 * done}. Each stream remembers what it has sent and, whenever {@link PromptViews} reports a change,
 * sends what the view now holds beyond that; so a client that connects late first gets everything
 * that already happened, and an event applied twice or while the stream is opening is sent once.
 *
 * <p>Events are sent on the thread that applied the change (the Kafka reader), so a stalled client
 * delays the view by at most the servlet container's write timeout.
 */
class PromptEventStreams {

  private final PromptViews views;
  private final Duration timeout;
  private final Map<String, Set<Stream>> open = new ConcurrentHashMap<>();

  /**
   * @param timeout how long a stream may stay open before the client must reconnect
   */
  PromptEventStreams(PromptViews views, Duration timeout) {
    this.views = views;
    this.timeout = timeout;
    views.onChange(this::changed);
  }

  /**
   * @param tenant the caller's tenant; another tenant's prompt is unknown to it
   * @throws org.springframework.web.ErrorResponseException 404 for an unknown id
   */
  SseEmitter open(String id, String tenant) {
    if (views.find(id, tenant).isEmpty()) {
      throw Problems.unknownPrompt(id);
    }
    Stream stream = new Stream(id, new SseEmitter(timeout.toMillis()));
    // Registered before the first catch-up, so no change can fall between the two.
    open.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(stream);
    stream.emitter.onCompletion(() -> close(stream));
    stream.emitter.onTimeout(() -> close(stream));
    stream.emitter.onError(e -> close(stream));
    stream.catchUp();
    return stream.emitter;
  }

  /** Streams currently open, for all prompts. */
  int openStreams() {
    return open.values().stream().mapToInt(Set::size).sum();
  }

  private void changed(String id) {
    Set<Stream> streams = open.get(id);
    if (streams != null) {
      streams.forEach(Stream::catchUp);
    }
  }

  private void close(Stream stream) {
    open.computeIfPresent(
        stream.id,
        (id, streams) -> {
          streams.remove(stream);
          return streams.isEmpty() ? null : streams;
        });
  }

  private final class Stream {

    private final String id;
    private final SseEmitter emitter;
    private boolean queuedSent;
    private boolean scheduledSent;
    private int nextToken;
    private boolean finished;

    Stream(String id, SseEmitter emitter) {
      this.id = id;
      this.emitter = emitter;
    }

    synchronized void catchUp() {
      if (finished) {
        return;
      }
      PromptView view = views.find(id).orElse(null);
      if (view == null) {
        return;
      }
      try {
        if (!queuedSent) {
          send("queued", data("id", id, "model", view.model(), "submitted_at", view.submittedAt()));
          queuedSent = true;
        }
        if (!scheduledSent && (view.scheduledAt() != null || view.budget() != null)) {
          send(
              "scheduled",
              data("budget", budget(view.budget()), "scheduled_at", view.scheduledAt()));
          scheduledSent = true;
        }
        for (TokenEvent token = views.tokens(id).get(nextToken);
            token != null;
            token = views.tokens(id).get(nextToken)) {
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
          nextToken++;
        }
        InferenceResult result = view.result();
        if (view.status().terminal() && result != null) {
          send(
              "done",
              data(
                  "status",
                  view.status(),
                  "text",
                  result.text(),
                  "finish_reason",
                  result.finishReason(),
                  "error",
                  result.error()));
          finished = true;
          close(this);
          emitter.complete();
        }
      } catch (IOException | IllegalStateException e) {
        // The client went away or the emitter already ended: stop sending to it.
        finished = true;
        close(this);
        emitter.completeWithError(e);
      }
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
