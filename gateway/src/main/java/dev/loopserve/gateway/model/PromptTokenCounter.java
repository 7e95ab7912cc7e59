package dev.loopserve.gateway.model;

/** Counts the tokens a prompt occupies in a model's context, special tokens included. */
@FunctionalInterface
public interface PromptTokenCounter {

  int count(String prompt);
}
