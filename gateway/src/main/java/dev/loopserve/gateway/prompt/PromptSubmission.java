package dev.loopserve.gateway.prompt;

import dev.loopserve.gateway.security.Caller;
import dev.loopserve.messages.PromptSubmitted;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The one way a prompt enters loopserve, whichever API shape it came in: admit it against its
 * model, queue it on Kafka, and show it in this replica's view at once.
 *
 * <p>With an idempotency key, a retried submission maps to the same request id, so a client that
 * lost the first answer never gets two generations: a prompt this replica already holds is not
 * queued again, and downstream consumers are idempotent by request id anyway. The same key with a
 * different body is a client bug and gets 409.
 */
public final class PromptSubmission {

  /**
   * What was accepted.
   *
   * @param submittedAt epoch ms at which the prompt was first submitted
   * @param status {@link PromptStatus#QUEUED} for a new prompt; for a retry, where it has got to
   */
  public record Submitted(String id, String model, PromptStatus status, long submittedAt) {}

  private final PromptAdmission admission;
  private final Consumer<PromptSubmitted> publisher;
  private final PromptViews views;
  private final PromptQuota quota;
  private final Clock clock;

  /**
   * @param publisher returns once Kafka holds the prompt, or throws an error response
   */
  PromptSubmission(
      PromptAdmission admission,
      Consumer<PromptSubmitted> publisher,
      PromptViews views,
      Clock clock) {
    this.admission = admission;
    this.publisher = publisher;
    this.views = views;
    this.quota = new PromptQuota(views);
    this.clock = clock;
  }

  /**
   * A retry of a prompt already accepted is answered with its id and never refused for limits or
   * load: it costs nothing.
   *
   * @param idempotencyKey the client's {@code Idempotency-Key}, or null/blank for a fresh request
   * @param caller whose tenant is recorded on the prompt and whose key's limits apply
   * @throws org.springframework.web.ErrorResponseException 404 unknown model, 400 a request the
   *     model cannot serve, 409 a reused idempotency key, 413 a prompt over the key's size, 429
   *     over the key's in-flight limit or the model's backlog, 503 Kafka unavailable or a deadline
   *     the queue cannot meet
   */
  public Submitted submit(SubmitPromptRequest request, String idempotencyKey, Caller caller) {
    quota.checkSize(caller, request.prompt());
    String tenant = caller.tenant();
    String id = requestId(tenant, idempotencyKey);
    PromptSubmitted prompt = admission.admit(request, id, tenant, clock.millis());
    var existing = views.find(id, tenant);
    if (existing.isPresent()) {
      PromptView view = existing.get();
      if (view.fingerprint() != null
          && !view.fingerprint().equals(PromptView.fingerprint(prompt))) {
        throw Problems.idempotencyKeyReused(idempotencyKey, id);
      }
      long submittedAt = view.submittedAt() != null ? view.submittedAt() : prompt.submittedAt();
      return new Submitted(id, view.model(), view.status(), submittedAt);
    }
    quota.checkInFlight(caller);
    admission.checkLoad(prompt, clock.millis());
    publisher.accept(prompt);
    // Read-your-writes on this replica without waiting for the prompt to come back from Kafka.
    views.apply(prompt);
    return new Submitted(id, prompt.model(), PromptStatus.QUEUED, prompt.submittedAt());
  }

  private static String requestId(String tenant, String idempotencyKey) {
    if (idempotencyKey == null || idempotencyKey.isBlank()) {
      return UUID.randomUUID().toString();
    }
    return UUID.nameUUIDFromBytes((tenant + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
        .toString();
  }
}
