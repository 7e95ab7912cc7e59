package dev.loopserve.scheduler.budget;

/**
 * The load on one model's fleet as the scheduler sees it.
 *
 * @param outstanding requests assigned by this scheduler and not yet answered
 * @param workers inference workers that reported a heartbeat recently
 * @param secondsPerStep mean of the workers' reported seconds per recurrence step; 0 when unknown
 */
public record Load(int outstanding, int workers, double secondsPerStep) {

  public static final Load IDLE = new Load(0, 0, 0.0);
}
