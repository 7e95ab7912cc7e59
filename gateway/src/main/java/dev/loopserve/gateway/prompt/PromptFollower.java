package dev.loopserve.gateway.prompt;

import dev.loopserve.messages.InferenceResult;
import dev.loopserve.messages.TokenEvent;

/**
 * Hears one prompt's progress through {@link PromptFollowers}: every token once, in index order,
 * then the result once. Calls come on whichever thread applied the change (often the Kafka reader),
 * one at a time, so implementations should hand work off rather than block.
 */
public interface PromptFollower {

  /** The next generated token; indexes start at 0 and never skip or repeat. */
  void token(TokenEvent token) throws Exception;

  /**
   * The prompt's final result; nothing follows. Tokens still in flight when the result arrives are
   * not delivered (the result's text is complete).
   */
  void finished(InferenceResult result) throws Exception;

  /** One of the calls above threw; the follower hears nothing more. */
  default void failed(Exception e) {}
}
