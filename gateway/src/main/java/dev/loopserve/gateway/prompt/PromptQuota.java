package dev.loopserve.gateway.prompt;

import dev.loopserve.gateway.security.Caller;

/**
 * The limits of a caller's key that concern submissions: how large a prompt may be, and how many of
 * its tenant's prompts may be in flight. Request rates are enforced before controllers run.
 *
 * <p>The in-flight bound is soft: submissions racing on one replica, or on several before their
 * prompts come back from Kafka, may each see room for one more.
 */
class PromptQuota {

  private final InFlightPrompts inFlight;

  PromptQuota(InFlightPrompts inFlight) {
    this.inFlight = inFlight;
  }

  /**
   * Checked before the prompt is tokenized, so an oversized prompt costs no tokenizer work.
   *
   * @throws org.springframework.web.ErrorResponseException 413 when the prompt has more Unicode
   *     code points than the key allows
   */
  void checkSize(Caller caller, String prompt) {
    if (prompt == null) {
      return;
    }
    int max = caller.limits().maxPromptChars();
    // length() bounds the code-point count from above, so most prompts skip the count.
    if (prompt.length() > max) {
      int chars = prompt.codePointCount(0, prompt.length());
      if (chars > max) {
        throw Problems.promptTooLarge(chars, max, caller.keyId());
      }
    }
  }

  /**
   * Checked only for prompts not already known, so an idempotent retry is never refused.
   *
   * @throws org.springframework.web.ErrorResponseException 429 when the caller's tenant already has
   *     as many prompts in flight as the key allows
   */
  void checkInFlight(Caller caller) {
    int max = caller.limits().maxInFlight();
    int now = inFlight.inFlight(caller.tenant());
    if (now >= max) {
      throw Problems.tooManyInFlight(caller.tenant(), now, max, caller.keyId());
    }
  }
}
