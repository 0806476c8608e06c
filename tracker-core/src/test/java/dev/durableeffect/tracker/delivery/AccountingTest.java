package dev.durableeffect.tracker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.http.DeliveryStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The engine's accounting tested directly: the ledger's watermark, the counters' exactness (every
 * accepted event resolved once, none after shutdown's final count) and the flush waiters.
 */
class AccountingTest {

  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private final DeliveryCounters counters = new DeliveryCounters(Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void theWatermarkWaitsForTheOldestSpanWhateverOrderSpansResolveIn() {
    Ledger ledger = new Ledger();
    Ledger.Span first = ledger.open(0, 3);
    Ledger.Span second = ledger.open(3, 2);

    ledger.resolve(second, 2);
    assertThat(ledger.watermark()).isZero();
    ledger.resolve(first, 2);
    assertThat(ledger.watermark()).isZero();
    ledger.resolve(first, 1);
    assertThat(ledger.watermark()).isEqualTo(5);
  }

  @Test
  void theWatermarkStopsAtTheFirstSpanStillOpen() {
    Ledger ledger = new Ledger();
    Ledger.Span first = ledger.open(10, 4);
    Ledger.Span second = ledger.open(14, 6);
    ledger.open(20, 1);

    ledger.resolve(first, 4);
    assertThat(ledger.watermark()).isEqualTo(14);
    ledger.resolve(second, 6);
    assertThat(ledger.watermark()).isEqualTo(20);
  }

  @Test
  void resolvingMoreThanASpanHoldsIsABug() {
    Ledger ledger = new Ledger();
    Ledger.Span span = ledger.open(0, 2);
    ledger.resolve(span, 2);

    assertThatThrownBy(() -> ledger.resolve(span, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void resolveOpenCountsExactlyWhatIsUnresolvedAndMovesTheWatermarkPastIt() {
    Ledger ledger = new Ledger();
    assertThat(ledger.resolveOpen()).isZero();
    assertThat(ledger.watermark()).isZero();

    Ledger.Span first = ledger.open(0, 5);
    ledger.open(5, 3);
    ledger.resolve(first, 2);

    assertThat(ledger.resolveOpen()).isEqualTo(6);
    assertThat(ledger.watermark()).isEqualTo(8);
    assertThat(ledger.resolveOpen()).isZero();
    assertThat(ledger.watermark()).isEqualTo(8);
  }

  @Test
  void refusedEventsAreEmittedAndDroppedButNeverPending() {
    counters.refused(DropReason.QUEUE_FULL);
    counters.refused(DropReason.QUEUE_FULL);
    counters.refused(DropReason.INVALID);

    assertThat(counters.refusedCount(DropReason.QUEUE_FULL)).isEqualTo(2);
    assertThat(counters.refusedCount(DropReason.INVALID)).isEqualTo(1);
    assertThat(counters.refusedCount(DropReason.CLOSED)).isZero();
    TrackerStats stats = counters.snapshot(4);
    assertThat(stats.emitted()).isEqualTo(7);
    assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(2);
    assertThat(stats.dropped(DropReason.INVALID)).isEqualTo(1);
    assertThat(stats.pending()).isEqualTo(4);
    assertThat(counters.resolved()).isZero();
  }

  @Test
  void eachAcceptedEventIsResolvedOnceDeliveredOrDropped() {
    Ledger.Span span = counters.taken(0, 10);
    counters.delivered(span, 6);
    counters.dropped(span, DropReason.TOO_LARGE, 1);

    TrackerStats stats = counters.snapshot(12);
    assertThat(stats.delivered()).isEqualTo(6);
    assertThat(stats.dropped(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(stats.pending()).isEqualTo(5);
    assertThat(counters.resolved()).isEqualTo(7);
    assertThat(counters.watermark()).isZero();

    assertThat(counters.droppedOpen(DropReason.INTERNAL_ERROR)).isEqualTo(3);
    assertThat(counters.snapshot(12).dropped(DropReason.INTERNAL_ERROR)).isEqualTo(3);
    assertThat(counters.snapshot(12).pending()).isEqualTo(2);
    assertThat(counters.watermark()).isEqualTo(10);
    assertThat(counters.droppedOpen(DropReason.INTERNAL_ERROR)).isZero();
  }

  @Test
  void closeOutDropsWhatIsLeftAsClosedAndIgnoresEveryLaterResolution() {
    Ledger.Span span = counters.taken(0, 4);
    counters.delivered(span, 1);

    assertThat(counters.closeOut(6)).isEqualTo(5);

    counters.delivered(span, 1);
    counters.dropped(span, DropReason.REJECTED, 1);
    counters.spooled(span, 1);
    assertThat(counters.droppedOpen(DropReason.INTERNAL_ERROR)).isZero();
    TrackerStats stats = counters.snapshot(6);
    assertThat(stats.delivered()).isEqualTo(1);
    assertThat(stats.dropped(DropReason.CLOSED)).isEqualTo(5);
    assertThat(stats.dropped(DropReason.REJECTED)).isZero();
    assertThat(stats.dropped(DropReason.INTERNAL_ERROR)).isZero();
    assertThat(stats.pending()).isZero();
    assertThat(counters.spoolPending()).isZero();
    assertThat(stats.emitted()).isEqualTo(stats.delivered() + stats.dropped() + stats.pending());
  }

  @Test
  void spooledEventsStayPendingThroughCloseOut() {
    Ledger.Span span = counters.taken(0, 5);
    counters.spooled(span, 5);
    assertThat(counters.watermark()).isEqualTo(5);
    assertThat(counters.spoolPending()).isEqualTo(5);
    counters.delivered(null, 2, true);
    assertThat(counters.spoolPending()).isEqualTo(3);

    assertThat(counters.closeOut(7)).isEqualTo(2);

    TrackerStats stats = counters.snapshot(7);
    assertThat(stats.delivered()).isEqualTo(2);
    assertThat(stats.dropped(DropReason.CLOSED)).isEqualTo(2);
    assertThat(stats.pending()).isEqualTo(3);
  }

  @Test
  void afterRecoveredEventsAreDeliveredEventsOfThisRunNotYetSpooledAreClosedOut() {
    counters.recovered(3, 1);
    counters.delivered(null, 3, true);
    counters.taken(0, 5);

    assertThat(counters.closeOut(5)).as("this run's five, held in memory").isEqualTo(5);

    TrackerStats stats = counters.snapshot(5);
    assertThat(stats.dropped(DropReason.CLOSED)).isEqualTo(5);
    assertThat(stats.pending()).isZero();
    assertThat(stats.emitted() + stats.recovered()).isEqualTo(stats.delivered() + stats.dropped() + stats.pending());
  }

  @Test
  void recoveredEventsArePendingAndCorruptOnesDroppedAtOnce() {
    counters.recovered(7, 2);

    assertThat(counters.recovered()).isEqualTo(9);
    assertThat(counters.spoolPending()).isEqualTo(7);
    assertThat(counters.resolved()).isEqualTo(2);
    TrackerStats stats = counters.snapshot(0);
    assertThat(stats.recovered()).isEqualTo(9);
    assertThat(stats.dropped(DropReason.CORRUPT)).isEqualTo(2);
    assertThat(stats.pending()).isEqualTo(7);

    counters.dropped(null, DropReason.EXPIRED, 3, true);
    assertThat(counters.spoolPending()).isEqualTo(4);
    assertThat(counters.snapshot(0).pending()).isEqualTo(4);
  }

  @Test
  void pendingIsNeverNegative() {
    counters.delivered(null, 3, true);

    assertThat(counters.snapshot(1).pending()).isZero();
  }

  @Test
  void theHealthStatusCountsFailuresInARowUntilASuccess() {
    counters.requestFailed("HTTP 503");
    counters.requestFailed("timeout");
    DeliveryStatus failing = counters.status();
    assertThat(failing.consecutiveFailures()).isEqualTo(2);
    assertThat(failing.lastFailureReason()).isEqualTo("timeout");
    assertThat(failing.lastFailure()).isEqualTo(NOW);
    assertThat(failing.lastSuccess()).isNull();

    counters.requestSucceeded();
    DeliveryStatus healthy = counters.status();
    assertThat(healthy.consecutiveFailures()).isZero();
    assertThat(healthy.lastSuccess()).isEqualTo(NOW);
    assertThat(healthy.lastFailureReason()).isEqualTo("timeout");
  }

  @Test
  void flushesCompleteInTargetOrderAndOnlyOnceTheirTargetIsReached() {
    FlushWaiters waiters = new FlushWaiters();
    CompletableFuture<Void> late = new CompletableFuture<>();
    CompletableFuture<Void> early = new CompletableFuture<>();
    CompletableFuture<Void> middle = new CompletableFuture<>();
    waiters.add(10, late);
    waiters.add(5, early);
    waiters.add(7, middle);

    assertThat(waiters.waitingBeyond(4)).isTrue();
    assertThat(waiters.waitingBeyond(5)).isFalse();
    waiters.completeUpTo(4);
    assertThat(early).isNotDone();

    waiters.completeUpTo(7);
    assertThat(early).isCompleted();
    assertThat(middle).isCompleted();
    assertThat(late).isNotDone();
    assertThat(waiters.waitingBeyond(7)).isTrue();
    assertThat(waiters.waitingBeyond(10)).isFalse();
  }

  @Test
  void completeAllCompletesEveryFlushWhateverItsTarget() {
    FlushWaiters waiters = new FlushWaiters();
    CompletableFuture<Void> one = new CompletableFuture<>();
    CompletableFuture<Void> other = new CompletableFuture<>();
    waiters.add(3, one);
    waiters.add(Long.MAX_VALUE, other);

    waiters.completeAll();

    assertThat(one).isCompleted();
    assertThat(other).isCompleted();
    assertThat(waiters.waitingBeyond(0)).isFalse();
  }

  @Test
  void takeUpToHandsOverTheReachedFlushesWithoutCompletingThem() {
    FlushWaiters waiters = new FlushWaiters();
    CompletableFuture<Void> reached = new CompletableFuture<>();
    CompletableFuture<Void> exactly = new CompletableFuture<>();
    CompletableFuture<Void> beyond = new CompletableFuture<>();
    waiters.add(9, beyond);
    waiters.add(2, reached);
    waiters.add(4, exactly);

    List<CompletableFuture<Void>> taken = waiters.takeUpTo(4);

    assertThat(taken).containsExactly(reached, exactly);
    assertThat(reached).isNotDone();
    assertThat(waiters.waitingBeyond(4)).isTrue();
    assertThat(waiters.takeUpTo(8)).isEmpty();
  }
}
