package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What this replica knows about one request, merged from the prompts, status and results topics in
 * whatever order they arrive: a result is final, and otherwise the latest stage wins.
 *
 * @param tenant the tenant that submitted it, or null until a message naming it has been seen
 * @param fingerprint digest of what was asked (see {@link #fingerprint(PromptSubmitted)}), or null
 *     until the prompt itself has been seen
 * @param submittedAt epoch ms, or null when only later messages have been seen
 * @param result the final result, or null while the request is in flight
 * @param callbackUrl where the final result is POSTed, or null
 */
record PromptView(
    String id,
    String tenant,
    String model,
    String fingerprint,
    PromptStatus status,
    Long submittedAt,
    Long scheduledAt,
    Budget budget,
    String workerId,
    InferenceResult result,
    String callbackUrl) {

  static PromptView submitted(PromptSubmitted prompt) {
    return new PromptView(
        prompt.requestId(),
        prompt.tenant(),
        prompt.model(),
        fingerprint(prompt),
        PromptStatus.QUEUED,
        prompt.submittedAt(),
        null,
        null,
        null,
        null,
        prompt.callbackUrl());
  }

  static PromptView unseen(String id) {
    return new PromptView(
        id, null, null, null, PromptStatus.QUEUED, null, null, null, null, null, null);
  }

  PromptView with(PromptSubmitted prompt) {
    return new PromptView(
        id,
        tenant != null ? tenant : prompt.tenant(),
        model != null ? model : prompt.model(),
        fingerprint != null ? fingerprint : fingerprint(prompt),
        status,
        prompt.submittedAt(),
        scheduledAt,
        budget,
        workerId,
        result,
        callbackUrl != null ? callbackUrl : prompt.callbackUrl());
  }

  PromptView with(StatusUpdate update) {
    PromptStatus next =
        switch (update.status()) {
          case SCHEDULED -> PromptStatus.SCHEDULED;
          case RUNNING -> PromptStatus.RUNNING;
        };
    boolean advances = !status.terminal() && next.ordinal() > status.ordinal();
    return new PromptView(
        id,
        tenant,
        model,
        fingerprint,
        advances ? next : status,
        submittedAt,
        update.status() == StatusUpdate.Status.SCHEDULED ? Long.valueOf(update.at()) : scheduledAt,
        status.terminal() || update.budget() == null ? budget : update.budget(),
        update.workerId() != null ? update.workerId() : workerId,
        result,
        callbackUrl);
  }

  /** The client-facing status a result ends a prompt in. */
  static PromptStatus statusOf(InferenceResult finished) {
    return switch (finished.status()) {
      case SUCCEEDED -> PromptStatus.SUCCEEDED;
      case FAILED -> PromptStatus.FAILED;
      case EXPIRED -> PromptStatus.EXPIRED;
      case CANCELLED -> PromptStatus.CANCELLED;
    };
  }

  PromptView with(InferenceResult finished) {
    PromptStatus terminal = statusOf(finished);
    return new PromptView(
        id,
        tenant != null ? tenant : finished.tenant(),
        model != null ? model : finished.model(),
        fingerprint,
        terminal,
        submittedAt,
        scheduledAt,
        finished.budget() != null ? finished.budget() : budget,
        finished.workerId() != null ? finished.workerId() : workerId,
        finished,
        callbackUrl);
  }

  /**
   * A digest of everything the client asked for (not the id or the time), so a retried submission
   * under the same Idempotency-Key can be told apart from a different request reusing the key.
   */
  static String fingerprint(PromptSubmitted prompt) {
    String asked =
        String.join(
            "\n",
            String.valueOf(prompt.tenant()),
            prompt.model(),
            prompt.prompt(),
            String.valueOf(prompt.maxTokens()),
            String.valueOf(prompt.sampling()),
            String.valueOf(prompt.recurrence()),
            String.valueOf(prompt.priority()),
            String.valueOf(prompt.latencyTargetMs()),
            String.valueOf(prompt.deadline()),
            String.valueOf(prompt.callbackUrl()));
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(asked.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Whether this tenant may see the prompt; a prompt whose tenant is not yet known is hidden. */
  boolean visibleTo(String caller) {
    return caller.equals(tenant);
  }
}
