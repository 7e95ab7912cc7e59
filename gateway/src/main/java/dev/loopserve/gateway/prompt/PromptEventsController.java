package dev.loopserve.gateway.prompt;

import dev.loopserve.gateway.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** Streams a prompt's progress as server-sent events. */
@RestController
class PromptEventsController {

  private final PromptEventStreams streams;

  PromptEventsController(PromptEventStreams streams) {
    this.streams = streams;
  }

  @Operation(
      summary = "Stream a prompt's progress as server-sent events",
      description =
          "Events: queued {id, model, submitted_at}; scheduled {budget, scheduled_at}; token"
              + " {index, text, steps, exit_reason, produced_at}, one per generated token in order"
              + " (produced_at: epoch ms at which the worker produced it); done"
              + " {status, text, finish_reason, error}, after which the stream ends. A client that"
              + " connects late first receives everything that already happened. 404 for an"
              + " unknown id.")
  @ApiResponse(
      responseCode = "200",
      description = "The event stream",
      content = @Content(mediaType = "text/event-stream"))
  @ApiResponse(
      responseCode = "404",
      description = "No such prompt for this caller's tenant",
      content = @Content(mediaType = "application/problem+json"))
  @GetMapping(path = "/v1/prompts/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  SseEmitter events(@PathVariable String id, Caller caller) {
    return streams.open(id, caller.tenant());
  }
}
