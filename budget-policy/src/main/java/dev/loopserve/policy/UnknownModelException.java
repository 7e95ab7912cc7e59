package dev.loopserve.policy;

/** The policy was asked about a model it has no profile for. */
public class UnknownModelException extends IllegalArgumentException {

  public UnknownModelException(String model) {
    super("no recurrence profile for model '" + model + "'");
  }
}
