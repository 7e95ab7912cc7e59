package dev.loopserve.policy;

/** A request's recurrence range and exit settings after clamping to its model's manifest. */
record RequestBounds(int lo, int hi, double exitStateDelta, double exitKl, boolean warmStart) {

  static RequestBounds of(RequestParams request, ModelProfile profile) {
    RecurrenceRange range = profile.recurrence();
    int lo = range.clamp(request.minSteps() != null ? request.minSteps() : range.min());
    int hi = range.clamp(request.maxSteps() != null ? request.maxSteps() : range.max());
    ExitThresholds exit = profile.exit();
    return new RequestBounds(
        lo,
        Math.max(lo, hi),
        request.exitStateDelta() != null ? request.exitStateDelta() : exit.stateDelta(),
        request.exitKl() != null ? request.exitKl() : exit.kl(),
        request.warmStart());
  }

  int clamp(int r) {
    return Math.max(lo, Math.min(hi, r));
  }

  /** The budget with r as its upper bound; minSteps never above r. */
  Budget budget(int r) {
    return new Budget(Math.min(lo, r), r, exitStateDelta, exitKl, warmStart);
  }
}
