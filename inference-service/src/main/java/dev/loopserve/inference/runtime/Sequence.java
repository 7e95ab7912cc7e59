package dev.loopserve.inference.runtime;

import dev.loopserve.inference.model.LoadedModel;
import dev.loopserve.inference.model.ModelTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One request's decoding state, independent of how graph calls are batched: the runtimes feed it
 * graph outputs and it decides what the request needs next. Because every decision and every random
 * draw lives here, a request's output does not depend on which other requests shared its graph
 * calls.
 *
 * <p>Each token computes only its pending positions (the whole prompt for the first token, then the
 * token just generated) against the keys and values {@link #kv} keeps for the positions before.
 * {@link #embedded} and {@link #state} hold the pending positions only, {@code [pending, hidden]}
 * row-major; padding is the runner's business.
 */
final class Sequence {

  /** What the sequence needs from the graphs next. */
  enum Phase {
    /** Embed the current sequence (start of a token). */
    PRELUDE,
    /** One more core application. */
    CORE,
    /** Next-token logits: either to finish the token or to probe the KL criterion. */
    CODA,
    /** Finished; see {@link #result}. */
    DONE
  }

  final GenerationRequest request;
  final TokenListener listener;
  private final ModelTokenizer tokenizer;
  private final int hidden;
  private final int eos;
  private final int maxContext;
  private final boolean randomInit;
  private final double sigma;
  private final SplittableRandom stateRng;
  private final SplittableRandom sampleRng;

  long[] ids;
  int length;
  final KvCache kv;
  float[] embedded;
  float[] state;

  /** Next-token logits at the last position, written by the coda. */
  final float[] logits;

  private final float[] previousLast;
  private final double[] logProbs;
  private final double[] previousLogProbs;
  private boolean havePreviousLogProbs;

  /** The previous token's final state at its position: the warm start of the next token. */
  private float[] warmState;

  Phase phase = Phase.PRELUDE;
  int step;
  private ExitReason exit;

  private final List<Long> generated = new ArrayList<>();
  private final List<Integer> steps = new ArrayList<>();
  private final List<ExitReason> reasons = new ArrayList<>();
  private String text = "";
  private FinishReason finish;
  long computeNanos;
  long totalSteps;

  Sequence(LoadedModel model, GenerationRequest request, TokenListener listener) {
    this.request = request;
    this.listener = listener;
    this.tokenizer = model.tokenizer();
    this.hidden = model.hidden();
    this.eos = model.manifest().specialTokens().eos();
    this.maxContext = model.manifest().maxContext();
    this.randomInit = request.stateInit().random();
    this.sigma = request.stateInit().sigma();
    SplittableRandom root = new SplittableRandom(request.seed());
    this.stateRng = root.split();
    this.sampleRng = root.split();
    if (request.promptIds().length >= maxContext) {
      throw new IllegalArgumentException(
          "prompt is "
              + request.promptIds().length
              + " tokens; the model's max_context "
              + maxContext
              + " leaves no room to generate");
    }
    int capacity = Math.min(maxContext, request.promptIds().length + request.maxTokens());
    this.ids = Arrays.copyOf(request.promptIds(), capacity);
    this.length = request.promptIds().length;
    this.kv =
        new KvCache(
            capacity,
            hidden,
            model.preludeCacheLayers(),
            model.coreCacheLayers(),
            model.codaCacheLayers());
    this.embedded = new float[capacity * hidden];
    this.state = new float[capacity * hidden];
    this.logits = new float[model.vocab()];
    this.previousLast = new float[hidden];
    this.logProbs = new double[model.vocab()];
    this.previousLogProbs = new double[model.vocab()];
  }

  /** Positions this token computes: those after the cached past. */
  int pending() {
    return length - kv.committed();
  }

  /**
   * The prelude has written {@link #embedded}; draw s_0 (or, warm, take the previous token's final
   * state) and start recurring.
   */
  void afterPrelude() {
    int fresh = 0;
    if (request.recurrence().warmStart() && warmState != null) {
      System.arraycopy(warmState, 0, state, 0, hidden);
      fresh = 1;
    }
    for (int i = fresh * hidden; i < pending() * hidden; i++) {
      state[i] = randomInit ? (float) truncatedNormal() : 0f;
    }
    step = 0;
    havePreviousLogProbs = false;
    phase = Phase.CORE;
  }

  private double truncatedNormal() {
    double z;
    do {
      z = stateRng.nextGaussian();
    } while (Math.abs(z) > 3);
    return sigma * z;
  }

  /** Called before the core overwrites {@link #state}: keeps s_{i−1} at the last position. */
  void beforeCore() {
    System.arraycopy(state, (pending() - 1) * hidden, previousLast, 0, hidden);
  }

  /** The core has written s_i into {@link #state}. */
  void afterCore() {
    step++;
    totalSteps++;
    RecurrencePlan plan = request.recurrence();
    if (step >= plan.minSteps()
        && plan.exitStateDelta() > 0
        && stateDelta() < plan.exitStateDelta()) {
      exit = ExitReason.STATE_DELTA;
      phase = Phase.CODA;
    } else if (plan.klEnabled() && step >= plan.minSteps() - 1) {
      exit = null; // a probe: afterCoda decides
      phase = Phase.CODA;
    } else if (step >= plan.maxSteps()) {
      exit = ExitReason.BUDGET;
      phase = Phase.CODA;
    } else {
      phase = Phase.CORE;
    }
  }

  /** ‖s_i − s_{i−1}‖ / ‖s_i‖ at the last position. */
  double stateDelta() {
    int base = (pending() - 1) * hidden;
    double diff = 0;
    double norm = 0;
    for (int j = 0; j < hidden; j++) {
      double v = state[base + j];
      double dv = v - previousLast[j];
      diff += dv * dv;
      norm += v * v;
    }
    if (norm == 0) {
      return diff == 0 ? 0 : Double.POSITIVE_INFINITY;
    }
    return Math.sqrt(diff / norm);
  }

  /** The coda has written {@link #logits}. */
  void afterCoda() {
    if (exit == null) {
      RecurrencePlan plan = request.recurrence();
      Sampler.logSoftmax(logits, logProbs);
      boolean converged =
          havePreviousLogProbs
              && step >= plan.minSteps()
              && Sampler.kl(logProbs, previousLogProbs) < plan.exitKl();
      if (converged) {
        exit = ExitReason.KL;
      } else if (step >= plan.maxSteps()) {
        exit = ExitReason.BUDGET;
      } else {
        System.arraycopy(logProbs, 0, previousLogProbs, 0, logProbs.length);
        havePreviousLogProbs = true;
        phase = Phase.CORE;
        return;
      }
    }
    completeToken(Sampler.pick(logits, request.sampling(), sampleRng));
  }

  private void completeToken(int token) {
    if (request.recurrence().warmStart()) {
      keepWarmState();
    }
    kv.commit(length, step);
    steps.add(step);
    reasons.add(exit);
    ExitReason reason = exit;
    exit = null;
    if (token == eos && !request.sampling().ignoreEos()) {
      listener.onToken(
          new GeneratedToken(generated.size(), token, "", step, reason, logits.clone()));
      finish(FinishReason.EOS);
      return;
    }
    generated.add((long) token);
    ids[length++] = token;
    String full = tokenizer.decode(generatedIds());
    String piece = full.startsWith(text) ? full.substring(text.length()) : full;
    text = full;
    listener.onToken(
        new GeneratedToken(generated.size() - 1, token, piece, step, reason, logits.clone()));
    int stopAt = firstStop(full);
    if (stopAt >= 0) {
      text = full.substring(0, stopAt);
      finish(FinishReason.STOP);
    } else if (generated.size() >= request.maxTokens() || length >= maxContext) {
      finish(FinishReason.LENGTH);
    } else {
      phase = Phase.PRELUDE;
    }
  }

  private void keepWarmState() {
    if (warmState == null) {
      warmState = new float[hidden];
    }
    System.arraycopy(state, (pending() - 1) * hidden, warmState, 0, hidden);
  }

  private int firstStop(String full) {
    int best = -1;
    for (String stop : request.sampling().stop()) {
      int at = full.indexOf(stop);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
      }
    }
    return best;
  }

  private void finish(FinishReason reason) {
    finish = reason;
    phase = Phase.DONE;
  }

  int stepsRecorded() {
    return steps.size();
  }

  int lastSteps() {
    return steps.get(steps.size() - 1);
  }

  ExitReason lastExit() {
    return reasons.get(reasons.size() - 1);
  }

  long[] generatedIds() {
    long[] out = new long[generated.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = generated.get(i);
    }
    return out;
  }

  int generatedCount() {
    return generated.size();
  }

  /** The result so far; {@code status} other than COMPLETED keeps what was generated. */
  GenerationResult result(GenerationResult.Status status, String error) {
    int[] stepArray = steps.stream().mapToInt(Integer::intValue).toArray();
    return new GenerationResult(
        status,
        generatedIds(),
        status == GenerationResult.Status.COMPLETED ? text : tokenizer.decode(generatedIds()),
        stepArray,
        List.copyOf(reasons),
        status == GenerationResult.Status.COMPLETED ? finish : null,
        computeNanos,
        error);
  }

  GenerationResult result() {
    return result(GenerationResult.Status.COMPLETED, null);
  }
}
