package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.http.DeliveryStatus;
import java.time.Clock;
import java.util.EnumMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The tracker's accounting. Events refused at {@code emit} are counted on the caller's thread
 * without locks. Accepted events are resolved (delivered or dropped) by the sender thread, by
 * {@link Ledger.Span}: {@code resolved} with the queue's accepted count gives {@code pending}, and the
 * ledger's watermark drives flushes.
 */
final class DeliveryCounters {

  private final LongAdder delivered = new LongAdder();
  private final LongAdder[] dropped = new LongAdder[DropReason.values().length];
  private final LongAdder[] refused = new LongAdder[DropReason.values().length];
  private final AtomicLong resolved = new AtomicLong();
  private final Ledger ledger = new Ledger();
  private final Clock clock;
  private boolean closedOut;

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

  /** Starts tracking {@code count} events taken from the queue at sequence {@code start}. */
  Ledger.Span taken(long start, int count) {
    return ledger.open(start, count);
  }

  /** Accepted events of {@code span} that reached the endpoint. */
  synchronized void delivered(Ledger.@Nullable Span span, int count) {
    if (closedOut) {
      return;
    }
    delivered.add(count);
    resolved(span, count);
  }

  /** Accepted events of {@code span} given up on. */
  synchronized void dropped(Ledger.@Nullable Span span, DropReason reason, int count) {
    if (closedOut) {
      return;
    }
    dropped[reason.ordinal()].add(count);
    resolved(span, count);
  }

  /**
   * Drops every event taken from the queue and not resolved yet, for when the sender holds none of
   * them any more.
   *
   * @return how many events that was
   */
  synchronized long droppedOpen(DropReason reason) {
    if (closedOut) {
      return 0;
    }
    long count = ledger.resolveOpen();
    dropped[reason.ordinal()].add(count);
    resolved.addAndGet(count);
    return count;
  }

  private void resolved(Ledger.@Nullable Span span, int count) {
    resolved.addAndGet(count);
    if (span != null) {
      ledger.resolve(span, count);
    }
  }

  /**
   * Final accounting at shutdown: every one of the {@code accepted} events not resolved yet is
   * dropped as {@link DropReason#CLOSED}, and later resolutions are ignored (a sender that did not
   * stop in time can no longer count an event twice).
   *
   * @return how many events were dropped here
   */
  synchronized long closeOut(long accepted) {
    closedOut = true;
    long left = Math.max(0, accepted - resolved.get());
    dropped[DropReason.CLOSED.ordinal()].add(left);
    resolved.addAndGet(left);
    return left;
  }

  long resolved() {
    return resolved.get();
  }

  /** The lowest sequence number not resolved yet; see {@link Ledger}. */
  long watermark() {
    return ledger.watermark();
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
