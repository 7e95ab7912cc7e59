/**
 * The Kafka contract of loopserve: topic names ({@link dev.loopserve.messages.Topics}), the
 * versioned JSON records exchanged on them, and the codec and dead-letter helpers every consumer
 * uses. The wire format is documented in {@code docs/messages.md}; records here are the single
 * source of truth in Java.
 *
 * <p>Every record is JSON with camelCase fields and carries {@code schemaVersion}. Fields of
 * primitive type are required (a missing one makes the message unreadable); reference-typed fields
 * are optional and omitted when absent. Unknown fields are ignored, so a v1 reader keeps working
 * when fields are added.
 */
package dev.loopserve.messages;
