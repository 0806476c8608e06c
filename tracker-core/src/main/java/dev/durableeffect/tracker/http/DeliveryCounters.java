package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import java.time.Clock;
import java.util.EnumMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The tracker's accounting. {@code resolved} counts accepted events that were delivered or dropped
 * after acceptance; with the queue's accepted count it gives {@code pending} and drives flushes.
 */
final class DeliveryCounters {

  private final LongAdder delivered = new LongAdder();
  private final LongAdder[] dropped = new LongAdder[DropReason.values().length];
  private final LongAdder[] refused = new LongAdder[DropReason.values().length];
  private final AtomicLong resolved = new AtomicLong();
  private final Clock clock;

  private volatile java.time.@Nullable Instant lastSuccess;
  private volatile java.time.@Nullable Instant lastFailure;
  private volatile @Nullable String lastFailureReason;
  private volatile long consecutiveFailures;

  DeliveryCounters(Clock clock) {
    this.clock = clock;
    for (int i = 0; i < dropped.length; i++) {
      dropped[i] = new LongAdder();
      refused[i] = new LongAdder();
    }
  }

  /** An event refused at {@code emit}: never accepted, so never pending. */
  void refused(DropReason reason) {
    dropped[reason.ordinal()].increment();
    refused[reason.ordinal()].increment();
  }

  /** Events refused at {@code emit} for this reason. */
  long refusedCount(DropReason reason) {
    return refused[reason.ordinal()].sum();
  }

  /** Accepted events that reached the endpoint. */
  void delivered(int count) {
    delivered.add(count);
    resolved.addAndGet(count);
  }

  /** Accepted events given up on. */
  void dropped(DropReason reason, long count) {
    dropped[reason.ordinal()].add(count);
    resolved.addAndGet(count);
  }

  long resolved() {
    return resolved.get();
  }

  void requestSucceeded() {
    lastSuccess = clock.instant();
    consecutiveFailures = 0;
  }

  void requestFailed(String reason) {
    lastFailure = clock.instant();
    lastFailureReason = reason;
    consecutiveFailures++;
  }

  DeliveryStatus status() {
    return new DeliveryStatus(lastSuccess, lastFailure, lastFailureReason, consecutiveFailures);
  }

  /**
   * A snapshot. Emitted is derived, not counted on the hot path: every emit was either accepted
   * (the queue's sequence) or refused (counted under its reason).
   */
  TrackerStats snapshot(long accepted) {
    EnumMap<DropReason, Long> byReason = new EnumMap<>(DropReason.class);
    long refusedTotal = 0;
    for (DropReason reason : DropReason.values()) {
      byReason.put(reason, dropped[reason.ordinal()].sum());
      refusedTotal += refused[reason.ordinal()].sum();
    }
    long resolvedNow = resolved.get();
    return new TrackerStats(
        accepted + refusedTotal, delivered.sum(), byReason, Math.max(0, accepted - resolvedNow));
  }
}
