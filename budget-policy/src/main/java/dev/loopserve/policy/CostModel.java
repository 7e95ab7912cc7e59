package dev.loopserve.policy;

/**
 * How much fleet work one request costs, in <em>step units</em>: one unit is one sequence occupying
 * one batch slot for one core-step iteration (the thing a heartbeat's {@code secondsPerStep}
 * times).
 *
 * <p>There is no KV cache yet, so every generated token re-runs the whole sequence through the
 * prelude, {@code r} core steps and the coda. With the prelude and coda priced as {@code
 * overheadStepsPerToken} core-step equivalents:
 *
 * <pre>work(r) = expectedTokens * (r + overheadStepsPerToken)</pre>
 *
 * <p>The budget {@code r} is priced as if every token ran all of it: adaptive exit makes r an upper
 * bound, so this errs on the side of meeting the latency target.
 *
 * @param overheadStepsPerToken prelude + coda cost per token, in core-step equivalents (the demo
 *     model has one prelude layer, two core layers and one coda layer, so about 1.0)
 * @param typicalTokens tokens a request usually generates; 0 means "assume maxTokens". Requests are
 *     priced at {@code min(maxTokens, typicalTokens)}
 */
public record CostModel(double overheadStepsPerToken, int typicalTokens) {

  public CostModel {
    if (!(overheadStepsPerToken >= 0) || Double.isInfinite(overheadStepsPerToken)) {
      throw new IllegalArgumentException("overheadStepsPerToken must be finite and >= 0");
    }
    if (typicalTokens < 0) {
      throw new IllegalArgumentException("typicalTokens must be >= 0");
    }
  }

  /** Tokens a request with this {@code maxTokens} is priced at; at least 1. */
  public double expectedTokens(int maxTokens) {
    int tokens = typicalTokens > 0 ? Math.min(maxTokens, typicalTokens) : maxTokens;
    return Math.max(1, tokens);
  }

  /** Work in step units for a request with budget {@code r} and this {@code maxTokens}. */
  public double workSteps(int r, int maxTokens) {
    return expectedTokens(maxTokens) * (r + overheadStepsPerToken);
  }
}
