package dev.loopserve.gateway.security;

/**
 * The configured API keys cannot be used; the gateway does not start. The message names the file or
 * property and what to change, and never contains a key or a hash.
 */
public class InvalidApiKeysException extends IllegalStateException {

  InvalidApiKeysException(String message) {
    super(message);
  }

  InvalidApiKeysException(String message, Throwable cause) {
    super(message, cause);
  }
}
