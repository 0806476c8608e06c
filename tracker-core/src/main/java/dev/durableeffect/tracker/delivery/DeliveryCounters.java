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
  /** Events written to the disk spool (or found there at start), and those of them resolved since. */
  private final AtomicLong spoolIn = new AtomicLong();
  private final AtomicLong spoolOut = new AtomicLong();
  private volatile long recovered;
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
  void delivered(Ledger.Span span, int count) {
    delivered(span, count, false);
  }

  /**
   * Events that reached the destination: of {@code span} in the queue's ledger, or read back from
   * the spool ({@code spooled}, no span).
   */
  synchronized void delivered(Ledger.@Nullable Span span, int count, boolean spooled) {
    if (closedOut) {
      return;
    }
    delivered.add(count);
    resolved(span, count, spooled);
  }

  /** Accepted events of {@code span} given up on. */
  void dropped(Ledger.Span span, DropReason reason, int count) {
    dropped(span, reason, count, false);
  }

  /** Events given up on: of {@code span}, or read back from the spool ({@code spooled}, no span). */
  synchronized void dropped(Ledger.@Nullable Span span, DropReason reason, long count, boolean spooled) {
    if (closedOut) {
      return;
    }
    dropped[reason.ordinal()].add(count);
    resolved(span, count, spooled);
  }

  /**
   * What the spool held at start: {@code intact} events, pending until delivered or dropped, and
   * {@code corrupt} ones lost to damage, dropped at once as {@link DropReason#CORRUPT}.
   */
  synchronized void recovered(long intact, long corrupt) {
    recovered = intact + corrupt;
    spoolIn.addAndGet(intact);
    dropped[DropReason.CORRUPT.ordinal()].add(corrupt);
    resolved.addAndGet(corrupt);
  }

  /**
   * Events of {@code span} written to the spool: resolved in the queue's ledger (so flushes move on
   * to the spool), still pending until delivered from the spool.
   */
  synchronized void spooled(Ledger.Span span, int count) {
    if (closedOut) {
      return;
    }
    spoolIn.addAndGet(count);
    ledger.resolve(span, count);
  }

  /** Spooled events not resolved yet: pending, and kept on disk at close. */
  long spoolPending() {
    return spoolIn.get() - spoolOut.get();
  }

  /** Events read back from the spool at start, damaged ones included. */
  long recovered() {
    return recovered;
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

  private void resolved(Ledger.@Nullable Span span, long count, boolean spooled) {
    resolved.addAndGet(count);
    if (spooled) {
      spoolOut.addAndGet(count);
    }
    if (span != null) {
      ledger.resolve(span, (int) count);
    }
  }

  /**
   * Final accounting at shutdown: every one of the {@code accepted} events not resolved yet is
   * dropped as {@link DropReason#CLOSED}, except those in the disk spool, which stay pending for the
   * next start; later resolutions are ignored (a sender that did not stop in time can no longer
   * count an event twice).
   *
   * @return how many events were dropped here
   */
  synchronized long closeOut(long accepted) {
    closedOut = true;
    long left = Math.max(0, accepted + recovered - resolved.get() - spoolPending());
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
    long recoveredNow = recovered;
    return new TrackerStats(
        accepted + refusedTotal,
        delivered.sum(),
        byReason,
        Math.max(0, accepted + recoveredNow - resolvedNow),
        recoveredNow);
  }
}
