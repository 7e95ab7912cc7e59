package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.CancelRequest;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * Turns a client's cancellation into a {@link CancelRequest}. The view is not changed here: the
 * status becomes {@code cancelled} only when the inference service's result says so, because the
 * prompt may finish before the cancellation reaches it.
 */
class PromptCancellation {

  private final PromptViews views;
  private final Consumer<CancelRequest> publisher;
  private final Clock clock;

  /**
   * @param publisher returns once Kafka holds the cancellation, or throws an error response
   */
  PromptCancellation(PromptViews views, Consumer<CancelRequest> publisher, Clock clock) {
    this.views = views;
    this.publisher = publisher;
    this.clock = clock;
  }

  /**
   * @return the view as it stands when the cancellation is queued
   * @param tenant the caller's tenant; another tenant's prompt is unknown to it
   * @throws org.springframework.web.ErrorResponseException 404 for an unknown id, 409 when the
   *     prompt already has its result
   */
  PromptView cancel(String id, String tenant) {
    PromptView view = views.find(id, tenant).orElseThrow(() -> Problems.unknownPrompt(id));
    if (view.status().terminal()) {
      throw Problems.alreadyFinished(id, view.status());
    }
    publisher.accept(new CancelRequest(id, tenant, clock.millis()));
    return view;
  }
}
