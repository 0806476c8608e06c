package dev.durableeffect.tracker;

/** Why the tracker gave up on an event. Every dropped event is counted under exactly one reason. */
public enum DropReason {
  /** The queue held {@code maxQueueSize} events when it was emitted. */
  QUEUE_FULL,
  /** Its JSON was larger than {@code maxEventBytes}, or the endpoint answered 413 to it alone. */
  TOO_LARGE,
  /** Its {@code input} could not be written as JSON (cyclic, failing getters, ...). */
  NOT_SERIALIZABLE,
  /** The endpoint answered a status that retrying cannot fix (a 4xx other than 408, 413, 429). */
  REJECTED,
  /** Every attempt failed with a retryable error (never with a disk spool: it retries until delivery). */
  RETRIES_EXHAUSTED,
  /**
   * It was emitted after {@code close()}, or was still waiting when shutdown ran out of time (with a
   * disk spool, only events not yet written to it; spooled ones stay pending for the next start).
   */
  CLOSED,
  /** It was {@code null}. */
  INVALID,
  /**
   * The tracker itself failed while it held the event (an error of the tracker or of the JVM
   * outside any one event's serialization); logged with the error. Expected never to be seen.
   */
  INTERNAL_ERROR,
  /** The disk spool was over {@code maxBytes}; its oldest segment was evicted with it unsent. */
  SPOOL_FULL,
  /** It waited in the disk spool longer than {@code maxAge}. */
  EXPIRED,
  /** Its record in the disk spool was damaged (found at start or when read back). */
  CORRUPT
}
