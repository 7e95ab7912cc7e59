package dev.loopserve.scheduler.budget;

import java.util.List;

/** An operator override that the model's manifest or common sense does not allow. */
public final class InvalidOverrideException extends RuntimeException {

  private final List<String> problems;

  public InvalidOverrideException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
