package dev.loopserve.gateway.openai;

import dev.loopserve.gateway.prompt.PromptFollower;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.TokenEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * One streamed completion in OpenAI's server-sent event format: a {@code data: <chunk>} event per
 * generated token, in order; a last chunk with the finish reason; a usage chunk when asked; then
 * {@code data: [DONE]}. A prompt that fails, or does not finish in time, ends the stream with an
 * OpenAI-style {@code data: {"error": ...}} event instead (the status line was already sent).
 *
 * <p>As a {@link PromptFollower} it only queues what it hears, so the Kafka reader never waits on a
 * client; the request's own thread writes.
 */
final class CompletionStream implements PromptFollower {

  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

  private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private final JsonMapper json;
  private final String id;
  private final String model;
  private final long created;
  private final int promptTokens;
  private final boolean includeUsage;

  /**
   * @param created epoch seconds, the same in every chunk
   * @param promptTokens for the usage chunk
   * @param includeUsage whether to send the usage chunk before {@code [DONE]}
   */
  CompletionStream(
      JsonMapper json,
      String id,
      String model,
      long created,
      int promptTokens,
      boolean includeUsage) {
    this.json = json;
    this.id = id;
    this.model = model;
    this.created = created;
    this.promptTokens = promptTokens;
    this.includeUsage = includeUsage;
  }

  @Override
  public void token(TokenEvent token) {
    events.add(token);
  }

  @Override
  public void finished(InferenceResult result) {
    events.add(result);
  }

  /**
   * Writes the stream as events arrive, until the prompt finishes or {@code timeout} has passed.
   *
   * @throws IOException the client went away
   */
  void writeTo(OutputStream out, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    StringBuilder sent = new StringBuilder();
    while (true) {
      Object event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (event == null) {
        error(out, OpenAiProblems.timedOut(id, timeout.toMillis()));
        return;
      }
      if (event instanceof TokenEvent token) {
        if (token.text() != null && !token.text().isEmpty()) {
          send(out, Completion.chunk(id, model, created, token.text(), null));
          sent.append(token.text());
        }
      } else if (event instanceof InferenceResult result) {
        finish(out, result, sent.toString());
        return;
      }
    }
  }

  private void finish(OutputStream out, InferenceResult result, String sent) throws IOException {
    if (result.status() != InferenceResult.Status.SUCCEEDED) {
      error(out, OpenAiProblems.unsuccessful(id, result));
      return;
    }
    // Token events travel on another topic than the result and may still be on their way: the
    // result's text is complete, so send what the tokens have not.
    String text = result.text() == null ? "" : result.text();
    if (text.length() > sent.length() && text.startsWith(sent)) {
      send(out, Completion.chunk(id, model, created, text.substring(sent.length()), null));
    }
    send(
        out,
        Completion.chunk(id, model, created, "", Completion.finishReason(result.finishReason())));
    if (includeUsage) {
      send(
          out,
          Completion.usageChunk(id, model, created, Completion.Usage.of(promptTokens, result)));
    }
    out.write(DONE);
    out.flush();
  }

  /** OpenAI's mid-stream error shape, which its SDKs raise as an exception. */
  private void error(OutputStream out, ErrorResponseException problem) throws IOException {
    ProblemDetail body = problem.getBody();
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", body.getDetail());
    error.put("type", slug(body.getType()));
    error.put("param", null);
    error.put("code", String.valueOf(body.getStatus()));
    error.put("prompt_id", id);
    send(out, Map.of("error", error));
  }

  private void send(OutputStream out, Object data) throws IOException {
    out.write(("data: " + json.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String slug(URI type) {
    String path = type.getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
