package dev.durableeffect.tracker.delivery;

/** Where the sender reads spooled events from, and acknowledges them to. Sender thread only. */
interface SpoolSource {

  /** {@code count} records of {@code range} are resolved (delivered or dropped). */
  void resolved(SpoolRange range, int count);

  /** Whether an event the spool stored at {@code appendedAtMillis} is past the spool's maxAge. */
  boolean expired(long appendedAtMillis);
}
