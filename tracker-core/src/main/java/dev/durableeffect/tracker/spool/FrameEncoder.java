package dev.durableeffect.tracker.spool;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Encodes records as frames into one reusable direct buffer, so that a whole batch goes to the file
 * in one write without a buffer per record.
 *
 * <p>A frame: magic {@link #MAGIC}, payload length (int), CRC32C (int) of everything after it,
 * sequence (long), appendedAtMillis (long), then the payload: workflowId, eventId and type each as
 * an unsigned-short length and UTF-8 bytes, then the JSON length (int) and bytes.
 */
final class FrameEncoder {

  static final int MAGIC = 0x44545231; // "DTR1"
  /** Magic, length, CRC, sequence and appendedAtMillis. */
  static final int OVERHEAD = 28;
  /** Three empty strings and an empty JSON. */
  static final int MIN_PAYLOAD = 10;
  /** Bytes from the start of a frame to where its CRC begins. */
  static final int CRC_START = 12;

  private static final int MAX_STRING_BYTES = 0xFFFF;

  private ByteBuffer buffer;
  private final CRC32C crc = new CRC32C();

  FrameEncoder(int initialCapacity) {
    buffer = ByteBuffer.allocateDirect(initialCapacity);
  }

  /**
   * Checks that {@code record} can be encoded: its strings fit an unsigned-short length.
   *
   * @throws IllegalArgumentException naming the field that is too long
   */
  static void validate(SpoolRecord record) {
    checkLength(record.workflowId(), "workflowId");
    checkLength(record.eventId(), "eventId");
    checkLength(record.type(), "type");
  }

  private static void checkLength(String value, String field) {
    // Three UTF-8 bytes per char at most, so short strings need no exact count.
    if (value.length() * 3L > MAX_STRING_BYTES && utf8Length(value) > MAX_STRING_BYTES) {
      throw new IllegalArgumentException(
          field + " must be at most 65535 UTF-8 bytes, was " + utf8Length(value));
    }
  }

  private static long utf8Length(String value) {
    return value.getBytes(StandardCharsets.UTF_8).length;
  }

  void clear() {
    buffer.clear();
  }

  /** Bytes encoded so far. */
  int position() {
    return buffer.position();
  }

  /** The encoded bytes {@code [0, end)} as a buffer to write; {@link #restore} afterwards. */
  ByteBuffer slice(int end) {
    buffer.limit(end).position(0);
    return buffer;
  }

  /** Undoes {@link #slice}: the buffer continues at {@code position}. */
  void restore(int position) {
    buffer.limit(buffer.capacity()).position(position);
  }

  /** Moves the bytes {@code [from, position)} to the start of the buffer. */
  void compactFrom(int from) {
    int end = buffer.position();
    buffer.limit(end).position(from);
    buffer.compact();
  }

  /** Appends the frame of {@code record} with the given sequence and time. */
  void encode(long sequence, long appendedAtMillis, SpoolRecord record) {
    byte[] json = record.json();
    ensureRemaining(
        OVERHEAD
            + MIN_PAYLOAD
            + 3L * (record.workflowId().length() + record.eventId().length() + record.type().length())
            + json.length);
    int start = buffer.position();
    buffer.putInt(MAGIC).putInt(0).putInt(0).putLong(sequence).putLong(appendedAtMillis);
    putString(record.workflowId());
    putString(record.eventId());
    putString(record.type());
    buffer.putInt(json.length).put(json);
    int end = buffer.position();
    buffer.putInt(start + 4, end - start - OVERHEAD);
    buffer.limit(end).position(start + CRC_START);
    crc.reset();
    crc.update(buffer);
    buffer.limit(buffer.capacity()).position(end);
    buffer.putInt(start + 8, (int) crc.getValue());
  }

  private void putString(String value) {
    int length = value.length();
    boolean ascii = true;
    for (int i = 0; i < length; i++) {
      if (value.charAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      buffer.putShort((short) length);
      for (int i = 0; i < length; i++) {
        buffer.put((byte) value.charAt(i));
      }
    } else {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      buffer.putShort((short) bytes.length).put(bytes);
    }
  }

  private void ensureRemaining(long needed) {
    if (buffer.remaining() >= needed) {
      return;
    }
    long capacity = Math.max(2L * buffer.capacity(), buffer.position() + needed);
    if (capacity > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a spool record must be smaller than 2 GiB, was " + needed + " bytes");
    }
    ByteBuffer grown = ByteBuffer.allocateDirect((int) capacity);
    buffer.flip();
    grown.put(buffer);
    buffer = grown;
  }
}
