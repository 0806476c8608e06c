package dev.durableeffect.tracker.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame format as the encoder writes it, read back here byte by byte from the documented layout:
 * strings of any length and alphabet, a buffer that has to grow, and the 65,535-byte string limit.
 */
class FrameEncoderTest {

  private static final int LIMIT = 0xFFFF;

  /** Decodes every frame in {@code bytes}, checking magic, payload length and CRC of each. */
  private static List<SpoolRecord> decode(ByteBuffer bytes) {
    List<SpoolRecord> records = new ArrayList<>();
    while (bytes.hasRemaining()) {
      int start = bytes.position();
      assertThat(bytes.getInt()).as("magic").isEqualTo(FrameEncoder.MAGIC);
      int payload = bytes.getInt();
      int crc = bytes.getInt();
      int end = start + FrameEncoder.OVERHEAD + payload;
      CRC32C expected = new CRC32C();
      expected.update(bytes.duplicate().limit(end));
      assertThat(crc).as("CRC of the frame at %d", start).isEqualTo((int) expected.getValue());
      long sequence = bytes.getLong();
      long appendedAt = bytes.getLong();
      String workflowId = string(bytes);
      String eventId = string(bytes);
      String type = string(bytes);
      byte[] json = new byte[bytes.getInt()];
      bytes.get(json);
      assertThat(bytes.position()).as("end of the frame at %d", start).isEqualTo(end);
      records.add(new SpoolRecord(sequence, appendedAt, workflowId, eventId, type, json));
    }
    return records;
  }

  private static String string(ByteBuffer bytes) {
    byte[] utf8 = new byte[bytes.getShort() & 0xFFFF];
    bytes.get(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  private static List<SpoolRecord> encodeAndDecode(FrameEncoder encoder, List<SpoolRecord> records) {
    for (int i = 0; i < records.size(); i++) {
      encoder.encode(100 + i, 1_000 + i, records.get(i));
    }
    ByteBuffer written = encoder.slice(encoder.position());
    ByteBuffer copy = ByteBuffer.allocate(written.remaining());
    copy.put(written).flip();
    return decode(copy);
  }

  private static SpoolRecord stamped(long sequence, long appendedAt, SpoolRecord record) {
    return new SpoolRecord(sequence, appendedAt, record.workflowId(), record.eventId(), record.type(), record.json());
  }

  private static byte[] json(int length) {
    return "x".repeat(length).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aBufferOfOneByteGrowsForWhicheverFieldIsLong() {
    String longText = "w".repeat(1_000);
    List<SpoolRecord> records =
        List.of(
            SpoolRecord.of(longText, "e", "t", json(2)),
            SpoolRecord.of("w", longText, "t", json(2)),
            SpoolRecord.of("w", "e", longText, json(2)),
            SpoolRecord.of("w", "e", "t", json(5_000)));
    // A fresh encoder for each, so that each record alone has to make the one-byte buffer grow.
    for (SpoolRecord record : records) {
      assertThat(encodeAndDecode(new FrameEncoder(1), List.of(record)))
          .containsExactly(stamped(100, 1_000, record));
    }
  }

  @Test
  void framesAppendedAfterOthersKeepTheEarlierOnesWhenTheBufferGrows() {
    List<SpoolRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(SpoolRecord.of("order-" + i, "evt-" + i, "step.completed", json(10 * i)));
    }

    List<SpoolRecord> decoded = encodeAndDecode(new FrameEncoder(64), records);

    List<SpoolRecord> expected = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      expected.add(stamped(100 + i, 1_000 + i, records.get(i)));
    }
    assertThat(decoded).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"\u0080", "\u00e9t\u00e9", "\u00fc\u00df", "caf\u00e9", "\u65e5\u672c", "\ud83d\ude00", "\u007f"})
  void nonAsciiStringsAreWrittenAsUtf8AndReadBackUnchanged(String text) {
    SpoolRecord record = SpoolRecord.of(text, "evt-" + text, text + ".type", json(3));

    assertThat(encodeAndDecode(new FrameEncoder(16), List.of(record))).containsExactly(stamped(100, 1_000, record));
  }

  @Test
  void aStringOfExactly65535Utf8BytesIsAcceptedAndOneMoreIsNot() {
    // 21,845 three-byte characters: 65,535 bytes, the most an unsigned-short length can say.
    String atLimit = "\u65e5".repeat(LIMIT / 3);
    assertThat(atLimit.getBytes(StandardCharsets.UTF_8)).hasSize(LIMIT);
    SpoolRecord record = SpoolRecord.of(atLimit, "e", "t", json(2));

    assertThatNoException().isThrownBy(() -> FrameEncoder.validate(record));
    assertThat(encodeAndDecode(new FrameEncoder(1), List.of(record))).containsExactly(stamped(100, 1_000, record));

    assertThatIllegalArgumentException()
        .isThrownBy(() -> FrameEncoder.validate(SpoolRecord.of(atLimit + "x", "e", "t", json(2))))
        .withMessage("workflowId must be at most 65535 UTF-8 bytes, was 65536");
  }

  @Test
  void anAsciiStringOf65535CharactersIsAcceptedAndOneMoreIsNot() {
    String atLimit = "a".repeat(LIMIT);
    assertThatNoException().isThrownBy(() -> FrameEncoder.validate(SpoolRecord.of("w", atLimit, "t", json(2))));

    assertThatIllegalArgumentException()
        .isThrownBy(() -> FrameEncoder.validate(SpoolRecord.of("w", atLimit + "a", "t", json(2))))
        .withMessage("eventId must be at most 65535 UTF-8 bytes, was 65536");
  }

  @Test
  void eachStringFieldIsCheckedAndNamedWhenTooLong() {
    String tooLong = "\u00e9".repeat(40_000); // 80,000 UTF-8 bytes

    assertThatIllegalArgumentException()
        .isThrownBy(() -> FrameEncoder.validate(SpoolRecord.of(tooLong, "e", "t", json(2))))
        .withMessage("workflowId must be at most 65535 UTF-8 bytes, was 80000");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> FrameEncoder.validate(SpoolRecord.of("w", tooLong, "t", json(2))))
        .withMessage("eventId must be at most 65535 UTF-8 bytes, was 80000");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> FrameEncoder.validate(SpoolRecord.of("w", "e", tooLong, json(2))))
        .withMessage("type must be at most 65535 UTF-8 bytes, was 80000");
  }
}
