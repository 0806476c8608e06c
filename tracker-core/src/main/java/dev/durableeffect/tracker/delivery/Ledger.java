package dev.durableeffect.tracker.delivery;

import java.util.ArrayDeque;

/**
 * Which accepted events are resolved, by sequence number. The sender takes events from the queue in
 * runs ({@link Span}s) and resolves them in any order: a batch delivered, an event dropped while the
 * batch before it is still in flight. The {@link #watermark()} is the lowest sequence number not yet
 * resolved: a flush that saw {@code n} events accepted is done once the watermark reaches {@code n}.
 * Counting resolved events instead would let an event dropped after the flush complete it early.
 *
 * <p>Spans are opened and resolved by the sender thread only; the watermark is read by any thread.
 */
final class Ledger {

  /** Consecutive accepted events taken from the queue together. */
  static final class Span {
    private final long end;
    private int unresolved;

    private Span(long end, int count) {
      this.end = end;
      this.unresolved = count;
    }
  }

  private final ArrayDeque<Span> open = new ArrayDeque<>();
  private volatile long watermark;

  /** Starts tracking {@code count} events from sequence {@code start}, taken from the queue in order. */
  Span open(long start, int count) {
    Span span = new Span(start + count, count);
    open.addLast(span);
    return span;
  }

  /** Marks {@code count} events of {@code span} resolved and advances the watermark past finished spans. */
  void resolve(Span span, int count) {
    span.unresolved -= count;
    if (span.unresolved < 0) {
      throw new IllegalStateException("resolved more events than the span holds");
    }
    long mark = watermark;
    Span first;
    while ((first = open.peekFirst()) != null && first.unresolved == 0) {
      open.pollFirst();
      mark = first.end;
    }
    if (mark != watermark) {
      watermark = mark;
    }
  }

  /**
   * Resolves every event of every open span, for when nothing holds them any more.
   *
   * @return how many events that was
   */
  long resolveOpen() {
    long count = 0;
    Span last = null;
    Span span;
    while ((span = open.pollFirst()) != null) {
      count += span.unresolved;
      span.unresolved = 0;
      last = span;
    }
    if (last != null) {
      watermark = last.end;
    }
    return count;
  }

  /** Every event with a lower sequence number is resolved. */
  long watermark() {
    return watermark;
  }
}
