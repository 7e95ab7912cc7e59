package dev.loopserve.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loopserve.messages.CancelRequest;
import dev.loopserve.messages.DeadLetter;
import dev.loopserve.messages.MessageCodec;
import dev.loopserve.messages.MessageReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cancellation binding's logic on its own (first test tier). */
class CancellationHandlerTest {

  private final MessageCodec codec = new MessageCodec();
  private final List<DeadLetter> dlq = new ArrayList<>();
  private final Cancellations cancellations = new Cancellations(2);
  private final CancellationHandler handler =
      new CancellationHandler(
          new MessageReader<>(
              codec, CancelRequest.class, (key, letter) -> dlq.add(letter), () -> 42L),
          cancellations);

  @Test
  void cancelsTheRequest() {
    handler.handle(
        "loopserve.cancellations", 0, 3, "r-1", codec.write(new CancelRequest("r-1", "t", 1)));
    assertThat(cancellations.isCancelled("r-1")).isTrue();
    assertThat(dlq).isEmpty();
  }

  @Test
  void deadLettersWhatItCannotRead() {
    handler.handle(
        "loopserve.cancellations", 1, 9, "k", "{\"schemaVersion\": 1, \"at\": 5}".getBytes());
    assertThat(dlq)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.partition()).isEqualTo(1);
              assertThat(d.offset()).isEqualTo(9);
              assertThat(d.reason()).contains("requestId");
            });
  }

  @Test
  void remembersABoundedNumberOfIds() {
    for (String id : List.of("a", "b", "c")) {
      cancellations.cancel(id);
    }
    assertThat(cancellations.isCancelled("a")).isFalse();
    assertThat(cancellations.isCancelled("c")).isTrue();
  }
}
