package dev.durableeffect.tracker.event;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UUID version 7 event ids (RFC 9562), unique and time-ordered across threads, made without a lock.
 *
 * <p>One atomic counter holds {@code (unixMillis << 21) | sequence}: ids of the same millisecond
 * take sequence numbers 0, 1, 2, ... with one atomic increment, and when a new millisecond begins
 * the counter jumps to it. The 21-bit sequence (RFC 9562 section 6.2, method 1, a fixed-length
 * counter) fills {@code rand_a} (12 bits) and the top 9 bits of {@code rand_b}; the other 53 bits of
 * {@code rand_b} are random, from the calling thread's {@link ThreadLocalRandom}. Two million ids
 * fit in one millisecond before the counter would run into the next one (which would still keep
 * them unique and ordered). The millisecond takes 42 bits here, enough until the year 2109.
 */
final class EventIds {

  private static final int SEQUENCE_BITS = 21;
  private static final AtomicLong LAST = new AtomicLong();
  private static final long VERSION_7 = 0x7000L;
  private static final long VARIANT_RFC = 0x8000_0000_0000_0000L;
  private static final long RANDOM_53 = (1L << 53) - 1;

  private EventIds() {}

  /** A fresh id made at {@code unixMillis} (the current time), in canonical lower-case text. */
  static String next(long unixMillis) {
    long candidate = unixMillis << SEQUENCE_BITS;
    long value = LAST.incrementAndGet();
    while (value < candidate) {
      // A new millisecond: move the counter up to it, unless another thread already has.
      if (LAST.compareAndSet(value, candidate)) {
        value = candidate;
        break;
      }
      value = LAST.incrementAndGet();
    }
    long millis = value >>> SEQUENCE_BITS;
    long sequence = value & ((1L << SEQUENCE_BITS) - 1);
    long msb = (millis << 16) | VERSION_7 | (sequence >>> 9);
    long lsb = VARIANT_RFC | ((sequence & 0x1FF) << 53) | (ThreadLocalRandom.current().nextLong() & RANDOM_53);
    return new UUID(msb, lsb).toString();
  }
}
