package dev.loopserve.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageReaderTest {

  private final MessageCodec codec = new MessageCodec();
  private final List<DeadLetter> parked = new ArrayList<>();
  private final List<String> parkedKeys = new ArrayList<>();
  private final MessageReader<CancelRequest> reader =
      new MessageReader<>(
          codec,
          CancelRequest.class,
          (key, letter) -> {
            parkedKeys.add(key);
            parked.add(letter);
          },
          () -> 777L);

  @Test
  void passesReadableMessagesThrough() {
    CancelRequest cancel = new CancelRequest("r1", "t", 3L);

    assertThat(reader.read(Topics.CANCELLATIONS, 0, 5L, "r1", codec.write(cancel)))
        .contains(cancel);
    assertThat(parked).isEmpty();
  }

  @Test
  void parksUnreadableMessagesWithTheirOriginAndReason() {
    byte[] garbage = "{\"requestId\":".getBytes(StandardCharsets.UTF_8);

    assertThat(reader.read(Topics.CANCELLATIONS, 2, 41L, "r1", garbage)).isEmpty();

    assertThat(parkedKeys).containsExactly("r1");
    DeadLetter letter = parked.get(0);
    assertThat(letter.sourceTopic()).isEqualTo(Topics.CANCELLATIONS);
    assertThat(letter.partition()).isEqualTo(2);
    assertThat(letter.offset()).isEqualTo(41L);
    assertThat(letter.payload()).isEqualTo("{\"requestId\":");
    assertThat(letter.reason()).startsWith("not a valid CancelRequest");
    assertThat(letter.at()).isEqualTo(777L);
    assertThat(letter.schemaVersion()).isEqualTo(SchemaVersion.CURRENT);
  }

  @Test
  void keepsBinaryPayloadsAsBase64() {
    byte[] binary = {(byte) 0xff, (byte) 0xfe, 0x00};

    reader.read(Topics.CANCELLATIONS, 0, 1L, null, binary);

    assertThat(parked.get(0).payload()).isEqualTo("base64://4A");
  }

  @Test
  void failsLoudlyWhenTheDeadLetterCannotBePublished() {
    MessageReader<CancelRequest> broken =
        new MessageReader<>(
            codec,
            CancelRequest.class,
            (key, letter) -> {
              throw new IllegalStateException("broker down");
            },
            () -> 0L);

    assertThatThrownBy(() -> broken.read("t", 0, 0L, "k", new byte[] {1}))
        .hasMessage("broker down");
  }
}
