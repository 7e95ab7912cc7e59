package dev.loopserve.gateway.prompt;

import dev.loopserve.gateway.model.ModelCatalog;
import dev.loopserve.gateway.model.ModelSpec;
import dev.loopserve.messages.PromptSubmitted;
import dev.loopserve.messages.RecurrenceRequest;
import dev.loopserve.messages.Sampling;
import java.net.URI;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides whether a well-formed request can be served and turns it into a {@link PromptSubmitted}.
 * Syntax (blank fields, signs) is checked by bean validation before this; here are the checks that
 * need the model: does it exist, does the prompt fit its context, are the recurrence bounds within
 * what it supports.
 */
class PromptAdmission {

  private final ModelCatalog catalog;
  private final int defaultMaxTokens;
  private final LoadShedding shedding;
  private final Set<String> callbackHosts;

  PromptAdmission(ModelCatalog catalog, int defaultMaxTokens) {
    this(catalog, defaultMaxTokens, LoadShedding.off(), Set.of());
  }

  /**
   * @param callbackHosts hosts a callback URL may name; empty allows any
   */
  PromptAdmission(
      ModelCatalog catalog,
      int defaultMaxTokens,
      LoadShedding shedding,
      Collection<String> callbackHosts) {
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException("defaultMaxTokens must be >= 1");
    }
    this.catalog = catalog;
    this.defaultMaxTokens = defaultMaxTokens;
    this.shedding = shedding;
    this.callbackHosts =
        callbackHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  /**
   * @throws org.springframework.web.ErrorResponseException a 404 or 400 problem saying what is
   *     wrong
   */
  PromptSubmitted admit(
      SubmitPromptRequest request, String requestId, String tenant, long nowMillis) {
    ModelSpec model =
        catalog
            .find(request.model())
            .orElseThrow(
                () ->
                    Problems.unknownModel(
                        request.model(), catalog.all().stream().map(ModelSpec::name).toList()));
    int promptTokens = model.tokens().count(request.prompt());
    int room = model.maxContext() - promptTokens;
    if (room < 1) {
      throw Problems.contextLength(
          "The prompt is "
              + promptTokens
              + " tokens but model "
              + model.name()
              + " has a context of "
              + model.maxContext()
              + " tokens, which leaves no room to generate",
          Map.of("prompt_tokens", promptTokens, "max_context", model.maxContext()));
    }
    int maxTokens =
        request.maxTokens() == null ? Math.min(defaultMaxTokens, room) : request.maxTokens();
    if (maxTokens > room) {
      throw Problems.contextLength(
          "Model "
              + model.name()
              + " has a context of "
              + model.maxContext()
              + " tokens; the prompt takes "
              + promptTokens
              + " and max_tokens asks for "
              + maxTokens
              + " (at most "
              + room
              + " fit)",
          Map.of(
              "prompt_tokens",
              promptTokens,
              "max_tokens",
              maxTokens,
              "max_context",
              model.maxContext()));
    }
    Long deadline = request.deadline() == null ? null : request.deadline().toEpochMilli();
    if (deadline != null && deadline <= nowMillis) {
      throw Problems.invalid(
          "deadline " + request.deadline() + " has already passed; send a time in the future",
          Map.of("deadline", request.deadline().toString()));
    }
    PromptSubmitted prompt =
        new PromptSubmitted(
            requestId,
            tenant,
            model.name(),
            request.prompt(),
            maxTokens,
            nowMillis,
            new Sampling(
                request.temperature(),
                request.topP(),
                request.topK(),
                request.seed(),
                request.stop()),
            recurrence(request.recurrence(), model),
            request.priority(),
            request.latencyTargetMs(),
            deadline,
            callbackUrl(request.callbackUrl()));
    return prompt;
  }

  /**
   * Whether the model can take {@code prompt} now. Separate from {@link #admit}, so a retry of a
   * prompt already accepted is answered with its id however loaded the model is.
   *
   * @throws org.springframework.web.ErrorResponseException 429 or 503, see {@link Backpressure}
   */
  void checkLoad(PromptSubmitted prompt, long nowMillis) {
    shedding.check(prompt, nowMillis);
  }

  private String callbackUrl(URI url) {
    if (url == null) {
      return null;
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!url.isAbsolute()
        || !(scheme.equals("http") || scheme.equals("https"))
        || url.getHost() == null) {
      throw Problems.invalid(
          "callback_url must be an absolute http or https URL, such as https://example.com/hook;"
              + " got '"
              + url
              + "'",
          Map.of("callback_url", url.toString()));
    }
    if (!callbackHosts.isEmpty()
        && !callbackHosts.contains(url.getHost().toLowerCase(Locale.ROOT))) {
      throw Problems.invalid(
          "callback_url host '"
              + url.getHost()
              + "' is not one this gateway calls back; allowed: "
              + String.join(", ", new TreeSet<>(callbackHosts)),
          Map.of("callback_url", url.toString()));
    }
    return url.toString();
  }

  private static RecurrenceRequest recurrence(SubmitPromptRequest.Recurrence r, ModelSpec model) {
    if (r == null) {
      return RecurrenceRequest.NONE;
    }
    checkSteps("min_steps", r.minSteps(), model);
    checkSteps("max_steps", r.maxSteps(), model);
    if (r.minSteps() != null && r.maxSteps() != null && r.minSteps() > r.maxSteps()) {
      throw Problems.invalid(
          "recurrence.min_steps ("
              + r.minSteps()
              + ") exceeds recurrence.max_steps ("
              + r.maxSteps()
              + ")",
          Map.of("min_steps", r.minSteps(), "max_steps", r.maxSteps()));
    }
    return new RecurrenceRequest(
        r.minSteps(), r.maxSteps(), r.exitStateDelta(), r.exitKl(), r.warmStart());
  }

  private static void checkSteps(String field, Integer steps, ModelSpec model) {
    if (steps != null && (steps < model.minSteps() || steps > model.maxSteps())) {
      throw Problems.invalid(
          "recurrence."
              + field
              + " is "
              + steps
              + " but model "
              + model.name()
              + " supports "
              + model.minSteps()
              + " to "
              + model.maxSteps()
              + " recurrences per token",
          Map.of(
              field,
              steps,
              "model_min_steps",
              model.minSteps(),
              "model_max_steps",
              model.maxSteps()));
    }
  }
}
