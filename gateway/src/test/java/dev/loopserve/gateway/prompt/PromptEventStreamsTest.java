package dev.loopserve.gateway.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.loopserve.gateway.security.Caller;
import dev.loopserve.gateway.security.CallerArgumentResolver;
import dev.loopserve.messages.Budget;
import dev.loopserve.messages.ExitReason;
import dev.loopserve.messages.FinishReason;
import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.StatusUpdate;
import dev.loopserve.messages.TokenEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * Changes are applied on the test thread and streams send on the applying thread, so every event is
 * in the response by the time {@code apply} returns: no waiting.
 */
class PromptEventStreamsTest {

  private final PromptViews views = new PromptViews();
  private final PromptEventStreams streams =
      new PromptEventStreams(views, new PromptFollowers(views), Duration.ofMinutes(1));
  private final MockMvc mvc =
      MockMvcBuilders.standaloneSetup(new PromptEventsController(streams))
          .setCustomArgumentResolvers(new CallerArgumentResolver(new Caller("t", "test", false)))
          .build();

  @Test
  void aLateClientGetsTheHistoryThenTheLiveEventsInOrder() throws Exception {
    views.apply(prompt());
    views.apply(new StatusUpdate("r1", StatusUpdate.Status.SCHEDULED, 5L, Budget.fixed(4), null));
    views.apply(new TokenEvent("r1", 0, 11L, "7", 4, ExitReason.BUDGET, 6L));

    MvcResult stream =
        mvc.perform(get("/v1/prompts/r1/events").accept(MediaType.TEXT_EVENT_STREAM))
            .andExpect(request().asyncStarted())
            .andReturn();
    assertThat(events(stream)).containsExactly("queued", "scheduled", "token");

    // Out of order and redelivered: sent once each, by index.
    views.apply(new TokenEvent("r1", 2, 13L, "", 2, ExitReason.STATE_DELTA, 8L));
    assertThat(events(stream)).containsExactly("queued", "scheduled", "token");
    views.apply(new TokenEvent("r1", 1, 12L, "!", 3, ExitReason.STATE_DELTA, 7L));
    views.apply(new TokenEvent("r1", 1, 12L, "!", 3, ExitReason.STATE_DELTA, 7L));
    views.apply(new StatusUpdate("r1", StatusUpdate.Status.RUNNING, 6L, null, "w1"));
    views.apply(result());

    String body = stream.getResponse().getContentAsString();
    assertThat(events(stream))
        .containsExactly("queued", "scheduled", "token", "token", "token", "done");
    assertThat(body).contains("\"budget\":{").contains("\"max_steps\":4");
    assertThat(body)
        .contains(
            "{\"index\":0,\"text\":\"7\",\"steps\":4,\"exit_reason\":\"budget\",\"produced_at\":6}")
        .contains(
            "{\"index\":1,\"text\":\"!\",\"steps\":3,\"exit_reason\":\"state_delta\",\"produced_at\":7}");
    assertThat(body).contains("\"status\":\"succeeded\",\"text\":\"7!\",\"finish_reason\":\"eos\"");
    assertThat(streams.openStreams()).as("done ends the stream").isZero();
  }

  @Test
  void aFinishedPromptIsReplayedAndClosedAtOnce() throws Exception {
    views.apply(prompt());
    views.apply(result());

    MvcResult stream =
        mvc.perform(get("/v1/prompts/r1/events")).andExpect(request().asyncStarted()).andReturn();

    assertThat(events(stream)).containsExactly("queued", "scheduled", "done");
    assertThat(streams.openStreams()).isZero();
  }

  @Test
  void anUnknownPromptIs404() throws Exception {
    mvc.perform(get("/v1/prompts/nope/events")).andExpect(status().isNotFound());
    assertThat(streams.openStreams()).isZero();
  }

  private static List<String> events(MvcResult stream) throws Exception {
    List<String> names = new ArrayList<>();
    for (String line : stream.getResponse().getContentAsString().split("\n")) {
      if (line.startsWith("event:")) {
        names.add(line.substring("event:".length()).trim());
      }
    }
    return names;
  }

  private static PromptSubmitted prompt() {
    return new PromptSubmitted("r1", "t", "m", "a=7;a?", 3, 1L, null, null, null, null, null);
  }

  private static InferenceResult result() {
    return new InferenceResult(
        "r1",
        "t",
        "m",
        InferenceResult.Status.SUCCEEDED,
        "7!",
        List.of(11L, 12L, 13L),
        List.of(4, 3, 2),
        List.of(ExitReason.BUDGET, ExitReason.STATE_DELTA, ExitReason.STATE_DELTA),
        FinishReason.EOS,
        Budget.fixed(4),
        null,
        10L,
        "w1",
        null);
  }
}
