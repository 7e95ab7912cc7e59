package dev.loopserve.gateway.prompt;

import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Clock;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Asynchronous prompt submission and polling. */
@RestController
class PromptController {

  record Accepted(String id, String model, PromptStatus status) {}

  private final PromptAdmission admission;
  private final PromptPublisher publisher;
  private final PromptViews views;
  private final Clock clock;

  PromptController(
      PromptAdmission admission, PromptPublisher publisher, PromptViews views, Clock clock) {
    this.admission = admission;
    this.publisher = publisher;
    this.views = views;
    this.clock = clock;
  }

  @Operation(summary = "Queue a prompt; poll the returned Location for the result")
  @PostMapping("/v1/prompts")
  ResponseEntity<Accepted> submit(@Valid @RequestBody SubmitPromptRequest request) {
    var prompt = admission.admit(request, UUID.randomUUID().toString(), clock.millis());
    publisher.publish(prompt);
    // Read-your-writes on this replica without waiting for the prompt to come back from Kafka.
    views.apply(prompt);
    return ResponseEntity.accepted()
        .location(URI.create("/v1/prompts/" + prompt.requestId()))
        .body(new Accepted(prompt.requestId(), prompt.model(), PromptStatus.QUEUED));
  }

  @Operation(summary = "Status of a prompt, with its text, recurrence use and timings once done")
  @GetMapping("/v1/prompts/{id}")
  PromptResponse get(@PathVariable String id) {
    return views.find(id).map(PromptResponse::of).orElseThrow(() -> Problems.unknownPrompt(id));
  }
}
