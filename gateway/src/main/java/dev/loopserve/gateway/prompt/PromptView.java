package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.Budget;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;

/**
 * What this replica knows about one request, merged from the prompts, status and results topics in
 * whatever order they arrive: a result is final, and otherwise the latest stage wins.
 *
 * @param submittedAt epoch ms, or null when only later messages have been seen
 * @param result the final result, or null while the request is in flight
 */
record PromptView(
    String id,
    String model,
    PromptStatus status,
    Long submittedAt,
    Long scheduledAt,
    Budget budget,
    String workerId,
    InferenceResult result) {

  static PromptView submitted(PromptSubmitted prompt) {
    return new PromptView(
        prompt.requestId(),
        prompt.model(),
        PromptStatus.QUEUED,
        prompt.submittedAt(),
        null,
        null,
        null,
        null);
  }

  static PromptView unseen(String id) {
    return new PromptView(id, null, PromptStatus.QUEUED, null, null, null, null, null);
  }

  PromptView with(PromptSubmitted prompt) {
    return new PromptView(
        id,
        model != null ? model : prompt.model(),
        status,
        prompt.submittedAt(),
        scheduledAt,
        budget,
        workerId,
        result);
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
        model,
        advances ? next : status,
        submittedAt,
        update.status() == StatusUpdate.Status.SCHEDULED ? Long.valueOf(update.at()) : scheduledAt,
        status.terminal() || update.budget() == null ? budget : update.budget(),
        update.workerId() != null ? update.workerId() : workerId,
        result);
  }

  PromptView with(InferenceResult finished) {
    PromptStatus terminal =
        switch (finished.status()) {
          case SUCCEEDED -> PromptStatus.SUCCEEDED;
          case FAILED -> PromptStatus.FAILED;
          case EXPIRED -> PromptStatus.EXPIRED;
          case CANCELLED -> PromptStatus.CANCELLED;
        };
    return new PromptView(
        id,
        model != null ? model : finished.model(),
        terminal,
        submittedAt,
        scheduledAt,
        finished.budget() != null ? finished.budget() : budget,
        finished.workerId() != null ? finished.workerId() : workerId,
        finished);
  }
}
