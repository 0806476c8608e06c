package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Serialized events, in the order they were emitted, handed to a {@link Transport} to send
 * together. The idempotency key stays the same across retries of this batch; the halves of a split
 * batch are new batches with new keys. Not thread-safe: the sender thread's.
 */
public final class OutgoingBatch {

  /** Bytes of the HTTP body around the events: {@code {"events":[]}}. */
  public static final int BODY_OVERHEAD = "{\"events\":[]}".length();

  private static final byte[] PREFIX = "{\"events\":[".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SUFFIX = "]}".getBytes(StandardCharsets.UTF_8);

  private final List<SpoolRecord> events;
  private final Ledger.@Nullable Span span;
  private final @Nullable SpoolRange spooled;
  private final String idempotencyKey = UUID.randomUUID().toString();
  private @Nullable Object attachment;
  private int attempts;

  OutgoingBatch(List<SpoolRecord> events, Ledger.@Nullable Span span, @Nullable SpoolRange spooled) {
    this.events = events;
    this.span = span;
    this.spooled = spooled;
  }

  Ledger.@Nullable Span span() {
    return span;
  }

  @Nullable SpoolRange spooled() {
    return spooled;
  }

  /** When the spool stored the first event, epoch milliseconds; 0 when not spooled. */
  long firstAppendedAtMillis() {
    return events.isEmpty() ? 0 : events.get(0).appendedAtMillis();
  }

  /** Events in this batch. */
  public int size() {
    return events.size();
  }

  /** The {@code i}th event's wire JSON (UTF-8), exactly as in the HTTP body. */
  public byte[] json(int i) {
    return events.get(i).json();
  }

  /** The {@code i}th event's workflow id. */
  public String workflowId(int i) {
    return events.get(i).workflowId();
  }

  /** The {@code i}th event's id. */
  public String eventId(int i) {
    return events.get(i).eventId();
  }

  /** The {@code i}th event's wire type name, e.g. {@code step.completed}. */
  public String type(int i) {
    return events.get(i).type();
  }

  /** Sends made for this batch so far. */
  public int attempts() {
    return attempts;
  }

  /** Counts one more send of this batch. */
  public void attempted() {
    attempts++;
  }

  /** A random key, the same for every retry of this batch. */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /** Whatever the transport keeps with this batch (an encoded body, per-event state), or null. */
  public @Nullable Object attachment() {
    return attachment;
  }

  /** Keeps {@code value} with this batch for the transport. */
  public void attach(@Nullable Object value) {
    attachment = value;
  }

  /** HTTP body length for events of {@code eventBytes} in all: the events, the commas, the wrapper. */
  public static int bodyBytes(int eventBytes, int eventCount) {
    return BODY_OVERHEAD + eventBytes + Math.max(0, eventCount - 1);
  }

  /** {@code {"events":[e1,e2,...]}} in UTF-8. */
  public byte[] body() {
    int length = PREFIX.length + SUFFIX.length + Math.max(0, events.size() - 1);
    for (SpoolRecord event : events) {
      length += event.json().length;
    }
    byte[] body = new byte[length];
    System.arraycopy(PREFIX, 0, body, 0, PREFIX.length);
    int at = PREFIX.length;
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        body[at++] = ',';
      }
      byte[] event = events.get(i).json();
      System.arraycopy(event, 0, body, at, event.length);
      at += event.length;
    }
    System.arraycopy(SUFFIX, 0, body, at, SUFFIX.length);
    return body;
  }

  /**
   * The two halves, for an endpoint that refused the batch as too large; only for batches of two
   * or more. They resolve the same events as this batch, which must not be resolved itself.
   */
  public OutgoingBatch[] halves() {
    if (events.size() < 2) {
      throw new IllegalStateException("a batch of " + events.size() + " event cannot be split");
    }
    int mid = events.size() / 2;
    return new OutgoingBatch[] {
      new OutgoingBatch(events.subList(0, mid), span, spooled),
      new OutgoingBatch(events.subList(mid, events.size()), span, spooled)
    };
  }
}
