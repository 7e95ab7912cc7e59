package dev.loopserve.inference.runtime;

/**
 * One decoded token, reported as soon as it is chosen.
 *
 * @param index 0-based position among the generated tokens
 * @param text the text this token adds to the completion (empty for {@code <eos>})
 * @param steps core applications spent on it
 * @param logits the next-token logits it was chosen from (length vocab_size)
 */
public record GeneratedToken(
    int index, long tokenId, String text, int steps, ExitReason exitReason, float[] logits) {}
