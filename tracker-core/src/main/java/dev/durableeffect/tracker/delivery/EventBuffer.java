package dev.durableeffect.tracker.delivery;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * The sender's scratch buffer for one event's JSON. It refuses to grow past {@code limit}: a write
 * that would cross it throws {@link LimitExceeded}, so an oversized event is detected after at most
 * {@code limit} bytes instead of being written in full. After an unusually large event the buffer
 * shrinks back, so one big event does not keep its memory for the tracker's lifetime.
 */
final class EventBuffer extends OutputStream {

  /** Thrown when an event's JSON would exceed the limit; carries no stack trace. */
  static final class LimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LimitExceeded() {
      super("event JSON exceeds the limit", null, false, false);
    }
  }

  private static final LimitExceeded LIMIT_EXCEEDED = new LimitExceeded();
  /** Capacity kept between events; a buffer grown beyond it is released. */
  static final int RETAINED_CAPACITY = 64 * 1024;

  private final int limit;
  private byte[] bytes = new byte[1024];
  private int count;

  EventBuffer(int limit) {
    this.limit = limit;
  }

  @Override
  public void write(int b) {
    ensure(1);
    bytes[count++] = (byte) b;
  }

  @Override
  public void write(byte[] source, int offset, int length) {
    ensure(length);
    System.arraycopy(source, offset, bytes, count, length);
    count += length;
  }

  private void ensure(int more) {
    if (more > limit - count) {
      throw LIMIT_EXCEEDED;
    }
    int needed = count + more;
    if (needed > bytes.length) {
      int grown = (int) Math.min(limit, Math.max(needed, 2L * bytes.length));
      bytes = Arrays.copyOf(bytes, grown);
    }
  }

  /** Bytes written since the last {@link #reset()}. */
  int size() {
    return count;
  }

  /** A copy of what was written. */
  byte[] toByteArray() {
    return Arrays.copyOf(bytes, count);
  }

  /** Empties the buffer, releasing its memory if an event made it grow beyond the retained capacity. */
  void reset() {
    count = 0;
    if (bytes.length > RETAINED_CAPACITY) {
      bytes = new byte[1024];
    }
  }

  /** Current capacity, for tests. */
  int capacity() {
    return bytes.length;
  }
}
