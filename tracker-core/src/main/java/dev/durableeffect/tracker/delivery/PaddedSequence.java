package dev.durableeffect.tracker.delivery;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A volatile long alone on its cache line, so that producers claiming slots and the sender taking
 * them do not slow each other down by sharing a line (false sharing). HotSpot lays out superclass
 * fields first, so the value sits between the two paddings; the padding fields exist for their size.
 */
@SuppressWarnings("unused")
final class PaddedSequence extends SequenceValue {

  private long q0, q1, q2, q3, q4, q5, q6;

  private static final VarHandle VALUE;

  static {
    try {
      VALUE = MethodHandles.lookup().findVarHandle(SequenceValue.class, "value", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  long get() {
    return value;
  }

  /** A volatile (sequentially consistent) write. */
  void set(long newValue) {
    value = newValue;
  }

  void setRelease(long newValue) {
    VALUE.setRelease(this, newValue);
  }

  boolean compareAndSet(long expected, long newValue) {
    return VALUE.compareAndSet(this, expected, newValue);
  }
}

/** Padding before the value. */
@SuppressWarnings("unused")
abstract class SequenceLeftPad {
  private long p0, p1, p2, p3, p4, p5, p6;
}

/** The value of a {@link PaddedSequence}. */
abstract class SequenceValue extends SequenceLeftPad {
  volatile long value;
}
