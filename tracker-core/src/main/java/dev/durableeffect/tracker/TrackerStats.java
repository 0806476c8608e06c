package dev.durableeffect.tracker;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of a tracker's accounting. At every quiescent point {@code emitted + recovered ==
 * delivered + dropped() + pending}: every event handed to the tracker (or found in its disk spool at
 * start) was delivered, dropped with a reason, or is still waiting.
 *
 * @param emitted events handed to {@code emit}
 * @param delivered events the destination acknowledged (a 2xx, a Kafka broker's ack)
 * @param droppedByReason dropped events, by reason; every reason is present (zero when none)
 * @param pending events accepted and not yet delivered or dropped; after {@code close()}, the events
 *     that stay in the disk spool for the next start
 * @param recovered events read back from the disk spool at start (0 without a spool), damaged ones
 *     included (they are counted dropped as {@link DropReason#CORRUPT})
 */
public record TrackerStats(
    long emitted, long delivered, Map<DropReason, Long> droppedByReason, long pending, long recovered) {

  /** An all-zero snapshot. */
  public static final TrackerStats EMPTY = new TrackerStats(0, 0, Map.of(), 0, 0);

  /** A snapshot of a tracker without a spool: nothing recovered. */
  public TrackerStats(long emitted, long delivered, Map<DropReason, Long> droppedByReason, long pending) {
    this(emitted, delivered, droppedByReason, pending, 0);
  }

  /** Copies the map and fills in every reason missing from it with zero. */
  public TrackerStats {
    EnumMap<DropReason, Long> copy = new EnumMap<>(DropReason.class);
    for (DropReason reason : DropReason.values()) {
      copy.put(reason, droppedByReason.getOrDefault(reason, 0L));
    }
    droppedByReason = Collections.unmodifiableMap(copy);
  }

  /** Dropped events under all reasons. */
  public long dropped() {
    long total = 0;
    for (long count : droppedByReason.values()) {
      total += count;
    }
    return total;
  }

  /** Dropped events under one reason. */
  public long dropped(DropReason reason) {
    return droppedByReason.get(reason);
  }
}
