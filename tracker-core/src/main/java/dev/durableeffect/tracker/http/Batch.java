package dev.durableeffect.tracker.http;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Serialized events sent in one request. The idempotency key stays the same across retries of
 * this batch; the halves of a split batch are new batches with new keys.
 */
final class Batch {

  private static final byte[] PREFIX = "{\"events\":[".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final byte[] SUFFIX = "]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private final List<byte[]> events;
  private final Ledger.Span span;
  private final String idempotencyKey = UUID.randomUUID().toString();
  private byte @Nullable [] payload;
  private int attempts;

  /** Serialized events, all taken from the queue in {@code span}. */
  Batch(List<byte[]> events, Ledger.Span span) {
    this.events = events;
    this.span = span;
  }

  Ledger.Span span() {
    return span;
  }

  /** Requests made for this batch so far. */
  int attempts() {
    return attempts;
  }

  void attempted() {
    attempts++;
  }

  int size() {
    return events.size();
  }

  String idempotencyKey() {
    return idempotencyKey;
  }

  /** Body length for these events: the events, the commas between them, and the wrapper. */
  static int bodyBytes(int eventBytes, int eventCount) {
    return HttpBatchTrackerConfig.BODY_OVERHEAD + eventBytes + Math.max(0, eventCount - 1);
  }

  /** The request body as sent (encoded by {@code sender}); built once, reused by retries. */
  byte[] payload(HttpSender sender) {
    byte[] built = payload;
    if (built == null) {
      built = sender.encode(body());
      payload = built;
    }
    return built;
  }

  /** {@code {"events":[e1,e2,...]}} in UTF-8. */
  byte[] body() {
    int length = PREFIX.length + SUFFIX.length + Math.max(0, events.size() - 1);
    for (byte[] event : events) {
      length += event.length;
    }
    byte[] body = new byte[length];
    System.arraycopy(PREFIX, 0, body, 0, PREFIX.length);
    int at = PREFIX.length;
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        body[at++] = ',';
      }
      byte[] event = events.get(i);
      System.arraycopy(event, 0, body, at, event.length);
      at += event.length;
    }
    System.arraycopy(SUFFIX, 0, body, at, SUFFIX.length);
    return body;
  }

  /** The two halves, for a 413; only for batches of two or more. */
  Batch[] halves() {
    int mid = events.size() / 2;
    return new Batch[] {
      new Batch(events.subList(0, mid), span), new Batch(events.subList(mid, events.size()), span)
    };
  }
}
