package dev.durableeffect.tracker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.spool.SpoolConfig;
import dev.durableeffect.tracker.spool.SpoolRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The sender's side of the spool driven directly, on the sender's behalf: events written as the
 * loop writes them (one span of the queue's ledger per take), batches read back and resolved
 * through a {@link TransportContext} as a transport resolves them, with a real {@code SpoolStore}
 * in a temporary directory. Every count is checked against the accounting invariant.
 */
class SpoolerTest {

  private static final long HOUR = Duration.ofHours(1).toNanos();

  @TempDir Path directory;

  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.durableeffect.tracker.test.SpoolerTest");
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final RateLimitedLog log = new RateLimitedLog(logger, Duration.ZERO);
  private final List<Spooler> opened = new ArrayList<>();

  private DeliveryCounters counters;
  private TransportContext context;
  private long accepted;

  SpoolerTest() {
    logs.start();
    logger.addAppender(logs);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void close() {
    opened.forEach(Spooler::close);
    logger.detachAppender(logs);
  }

  private Spooler open(SpoolConfig config) {
    counters = new DeliveryCounters(Clock.systemUTC());
    accepted = 0;
    Spooler spooler = Spooler.open(config, counters, log);
    context = new TransportContext(counters, log, () -> {}, spooler);
    opened.add(spooler);
    return spooler;
  }

  private Spooler open() {
    return open(SpoolConfig.builder(directory).build());
  }

  private void reopen(Spooler spooler) {
    spooler.close();
    opened.remove(spooler);
  }

  /** Writes {@code count} events as one take of the queue, the way the sender loop does. */
  private void append(Spooler spooler, int from, int count, int jsonBytes) {
    Ledger.Span span = counters.taken(accepted, count);
    accepted += count;
    List<SpoolRecord> records = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      String json = "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(jsonBytes) + "\"}";
      records.add(SpoolRecord.of("wf-" + i, "e" + i, "workflow.started", json.getBytes(StandardCharsets.UTF_8)));
    }
    spooler.append(records, span);
  }

  private void append(Spooler spooler, int from, int count) {
    append(spooler, from, count, 10);
  }

  private static List<String> ids(OutgoingBatch batch) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      ids.add(batch.eventId(i));
    }
    return ids;
  }

  private TrackerStats stats() {
    return counters.snapshot(accepted);
  }

  private void assertAccounted() {
    TrackerStats stats = stats();
    assertThat(stats.emitted() + stats.recovered()).isEqualTo(stats.delivered() + stats.dropped() + stats.pending());
  }

  private List<String> messages() {
    synchronized (logs.list) {
      return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  @Test
  void writtenEventsStayPendingUntilReadBackInOrderAndDelivered() {
    Spooler spooler = open();
    assertThat(spooler.hasUnsent()).isFalse();
    assertThat(spooler.next(10, 1 << 20, System.nanoTime())).isNull();

    append(spooler, 0, 5);

    assertThat(spooler.hasUnsent()).isTrue();
    assertThat(stats().pending()).isEqualTo(5);
    assertThat(counters.watermark()).as("written events leave the queue's ledger").isEqualTo(5);
    OutgoingBatch first = spooler.next(3, 1 << 20, System.nanoTime());
    assertThat(ids(first)).containsExactly("e0", "e1", "e2");
    assertThat(spooler.hasUnsent()).isTrue();
    OutgoingBatch second = spooler.next(10, 1 << 20, System.nanoTime());
    assertThat(ids(second)).containsExactly("e3", "e4");
    assertThat(spooler.hasUnsent()).isFalse();
    assertThat(spooler.next(10, 1 << 20, System.nanoTime())).isNull();

    context.delivered(first, 3);
    context.delivered(second, 2);
    assertThat(stats().delivered()).isEqualTo(5);
    assertThat(stats().pending()).isZero();
    assertAccounted();
    assertThat(messages()).as("nothing evicted, expired or damaged: no drop is logged").isEmpty();
  }

  @Test
  void aBatchReadBackStaysWithinMaxBatchBytesWithTheSeparatorsBetweenItsEvents() {
    Spooler spooler = open();
    append(spooler, 0, 10, 0); // {"n":0,"pad":""}: 16 bytes each
    int threeEvents = OutgoingBatch.bodyBytes(3 * 16, 3); // {"events":[e0,e1,e2]}

    OutgoingBatch fits = spooler.next(100, threeEvents, System.nanoTime());
    OutgoingBatch oneByteLess = spooler.next(100, threeEvents - 1, System.nanoTime());

    assertThat(ids(fits)).containsExactly("e0", "e1", "e2");
    assertThat(fits.body()).hasSize(threeEvents);
    assertThat(ids(oneByteLess)).containsExactly("e3", "e4");
    assertThat(oneByteLess.body().length).isLessThanOrEqualTo(threeEvents - 1);
  }

  @Test
  void aBatchIsDueWhenFullOldEnoughClosingOrFlushedAndNotBefore() {
    Spooler spooler = open();
    long now = System.nanoTime();
    assertThat(spooler.due(true, now, now, HOUR, 1)).as("nothing written").isFalse();

    append(spooler, 0, 5);

    assertThat(spooler.due(false, now, now, HOUR, 6)).as("below a batch, young").isFalse();
    assertThat(spooler.due(false, now, now, HOUR, 5)).as("a full batch").isTrue();
    assertThat(spooler.due(true, now, now, HOUR, 6)).as("closing").isTrue();
    assertThat(spooler.due(false, now, now - HOUR, HOUR, 6)).as("the oldest exactly flushInterval old").isTrue();
    assertThat(spooler.due(false, now, now - HOUR + 1, HOUR, 6)).as("a nanosecond younger").isFalse();
  }

  @Test
  void aFlushWaitsForItsEventsToBeWrittenThenForThemToBeResolved() {
    Spooler spooler = open();
    FlushWaiters waiters = new FlushWaiters();
    CompletableFuture<Void> flush = new CompletableFuture<>();
    waiters.add(3, flush);

    spooler.completeFlushes(waiters, counters.watermark());
    assertThat(waiters.waitingBeyond(0)).as("still waiting for its events to be written").isTrue();

    append(spooler, 0, 3);
    spooler.completeFlushes(waiters, counters.watermark());
    assertThat(waiters.waitingBeyond(Long.MAX_VALUE - 1)).as("handed to the spool stage").isFalse();
    assertThat(flush).isNotDone();
    long now = System.nanoTime();
    assertThat(spooler.due(false, now, now, HOUR, 100)).as("a flush waits: due below a batch").isTrue();

    OutgoingBatch batch = spooler.next(10, 1 << 20, now);
    spooler.completeFlushes(waiters, counters.watermark());
    assertThat(flush).as("read back, not resolved").isNotDone();

    context.delivered(batch, 3);
    spooler.completeFlushes(waiters, counters.watermark());
    assertThat(flush).isCompleted();
  }

  @Test
  void aFlushCompletesOnceItsEventsAreDeliveredWhileLaterOnesStillWaitInTheSpool() {
    Spooler spooler = open();
    FlushWaiters waiters = new FlushWaiters();
    CompletableFuture<Void> flush = new CompletableFuture<>();
    append(spooler, 0, 3);
    waiters.add(3, flush);
    spooler.completeFlushes(waiters, counters.watermark());
    append(spooler, 3, 2);

    OutgoingBatch batch = spooler.next(3, 1 << 20, System.nanoTime());
    context.delivered(batch, 3);
    spooler.completeFlushes(waiters, counters.watermark());

    assertThat(spooler.hasUnsent()).as("e3 and e4 are still unread").isTrue();
    assertThat(flush).isCompleted();
  }

  @Test
  void completeAllFlushesCompletesFlushesWaitingInTheSpoolStage() {
    Spooler spooler = open();
    FlushWaiters waiters = new FlushWaiters();
    CompletableFuture<Void> flush = new CompletableFuture<>();
    append(spooler, 0, 2);
    waiters.add(2, flush);
    spooler.completeFlushes(waiters, counters.watermark());
    assertThat(flush).isNotDone();

    spooler.completeAllFlushes();

    assertThat(flush).isCompleted();
  }

  @Test
  void whatIsDeliveredIsAcknowledgedAndTheRestRecoveredByTheNextProcessFirst() {
    Spooler spooler = open();
    append(spooler, 0, 4);
    OutgoingBatch first = spooler.next(2, 1 << 20, System.nanoTime());
    context.delivered(first, 2);
    OutgoingBatch unresolved = spooler.next(1, 1 << 20, System.nanoTime());
    assertThat(ids(unresolved)).containsExactly("e2");
    assertThat(messages()).noneMatch(m -> m.contains("undelivered events in the spool"));
    reopen(spooler);

    Spooler next = open();

    assertThat(stats().recovered()).isEqualTo(2);
    assertThat(stats().pending()).isEqualTo(2);
    assertThat(messages())
        .contains("durable-tracker: found 2 undelivered events in the spool " + directory + "; sending them first");
    long now = System.nanoTime();
    assertThat(next.due(false, now, now, HOUR, 100)).as("recovered events are sent at once").isTrue();
    OutgoingBatch recovered = next.next(1, 1 << 20, now);
    assertThat(ids(recovered)).containsExactly("e2");
    assertThat(next.due(false, now, now, HOUR, 100)).as("the backlog is over once read").isFalse();
    assertThat(ids(next.next(10, 1 << 20, now))).containsExactly("e3");
  }

  @Test
  void batchesThatTheSenderLostTrackOfAreDroppedOnceAndAcknowledged() {
    Spooler spooler = open();
    append(spooler, 0, 4);
    OutgoingBatch batch = spooler.next(4, 1 << 20, System.nanoTime());
    OutgoingBatch[] halves = batch.halves();
    context.delivered(halves[0], halves[0].size());

    spooler.abandonOutstanding(DropReason.INTERNAL_ERROR);

    assertThat(stats().delivered()).isEqualTo(2);
    assertThat(stats().dropped(DropReason.INTERNAL_ERROR)).isEqualTo(2);
    assertThat(stats().pending()).isZero();
    assertAccounted();
    spooler.abandonOutstanding(DropReason.INTERNAL_ERROR);
    assertThat(stats().dropped(DropReason.INTERNAL_ERROR)).as("counted once").isEqualTo(2);
    reopen(spooler);
    open();
    assertThat(stats().recovered()).as("acknowledged: not sent again").isZero();
  }

  @Test
  void syncIsDueSyncIntervalAfterTheLastOneAndOnlyWhileSomethingWasWritten() {
    long opened = System.nanoTime();
    Spooler spooler = open(SpoolConfig.builder(directory).syncInterval(Duration.ofSeconds(1)).build());
    long afterOpen = System.nanoTime();
    assertThat(spooler.syncIfDue(afterOpen)).as("nothing written").isEqualTo(Transport.NO_TIMER);

    append(spooler, 0, 1);
    long due = spooler.syncIfDue(afterOpen);
    assertThat(due - opened).isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(due - afterOpen).isLessThanOrEqualTo(Duration.ofSeconds(1).toNanos());

    long later = due + 5;
    assertThat(spooler.syncIfDue(later)).as("synced now").isEqualTo(Transport.NO_TIMER);
    assertThat(spooler.syncIfDue(later + 10)).as("nothing written since").isEqualTo(Transport.NO_TIMER);

    append(spooler, 1, 1);
    assertThat(spooler.syncIfDue(later + 10)).as("one interval after the last sync").isEqualTo(later + Duration.ofSeconds(1).toNanos());
  }

  @Test
  void aFailedSyncIsCountedLoggedAndTriedAgainFiveSecondsLaterAlsoWhenEveryWriteIsSynced() {
    Spooler spooler = open(SpoolConfig.builder(directory).syncInterval(Duration.ZERO).build());
    append(spooler, 0, 1);
    spooler.store().close();
    long now = System.nanoTime();

    long next = spooler.syncIfDue(now);

    assertThat(spooler.failures()).isEqualTo(1);
    assertThat(spooler.lastFailure()).startsWith("spool sync failed: java.lang.IllegalStateException");
    assertThat(messages())
        .anyMatch(m -> m.startsWith("durable-tracker: could not sync the spool ") && m.endsWith("; trying again in 5 s"));
    assertThat(next).as("not on every turn of the sender").isEqualTo(now + Duration.ofSeconds(5).toNanos());
    assertThat(spooler.syncIfDue(next - 1)).as("not before").isEqualTo(next);
    spooler.syncIfDue(next);
    assertThat(spooler.failures()).as("tried again, failed again").isEqualTo(2);
  }

  @Test
  void anEventIsExpiredOnlyOnceOlderThanMaxAge() {
    Spooler spooler = open(SpoolConfig.builder(directory).maxAge(Duration.ofHours(1)).build());
    long now = System.currentTimeMillis();
    assertThat(spooler.expired(0)).as("no time recorded").isFalse();
    assertThat(spooler.expired(now)).isFalse();
    assertThat(spooler.expired(now - Duration.ofMinutes(59).toMillis())).isFalse();
    assertThat(spooler.expired(now - Duration.ofMinutes(61).toMillis())).isTrue();
  }

  @Test
  void eventsOlderThanMaxAgeAreDroppedAsExpiredWhenRead() {
    Spooler spooler = open(SpoolConfig.builder(directory).maxAge(Duration.ofMillis(50)).build());
    append(spooler, 0, 3);
    long written = System.currentTimeMillis();
    await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10))
        .until(() -> System.currentTimeMillis() - written > 60);

    append(spooler, 3, 2);

    OutgoingBatch fresh = spooler.next(10, 1 << 20, System.nanoTime());

    assertThat(ids(fresh)).containsExactly("e3", "e4");
    assertThat(stats().dropped(DropReason.EXPIRED)).isEqualTo(3);
    assertThat(spooler.hasUnsent()).as("the expired ones are not waiting any more").isFalse();
    context.delivered(fresh, 2);
    assertThat(stats().pending()).isZero();
    assertThat(messages()).contains(
        "durable-tracker: dropped 3 events (EXPIRED): they waited in the spool longer than maxAge");
    assertAccounted();
  }

  @Test
  void aFlushWhoseSpooledEventsAllExpiredCompletesOnceTheyAreDropped() {
    Spooler spooler = open(SpoolConfig.builder(directory).maxAge(Duration.ofMillis(50)).build());
    FlushWaiters waiters = new FlushWaiters();
    CompletableFuture<Void> flush = new CompletableFuture<>();
    append(spooler, 0, 3);
    waiters.add(3, flush);
    spooler.completeFlushes(waiters, counters.watermark());
    assertThat(flush).as("written, not yet resolved").isNotDone();
    long written = System.currentTimeMillis();
    await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(10))
        .until(() -> System.currentTimeMillis() - written > 60);

    assertThat(spooler.next(10, 1 << 20, System.nanoTime())).as("nothing left to send").isNull();
    spooler.completeFlushes(waiters, counters.watermark());

    assertThat(stats().dropped(DropReason.EXPIRED)).isEqualTo(3);
    assertThat(flush).as("its events are resolved: dropped").isCompleted();
  }

  @Test
  void overMaxBytesTheOldestSegmentIsEvictedAndCountedAsSpoolFull() {
    Spooler spooler = open(SpoolConfig.builder(directory).maxBytes(SpoolConfig.MIN_MAX_BYTES).build());
    int written = 0;
    while (stats().dropped(DropReason.SPOOL_FULL) == 0 && written < 10_000) {
      append(spooler, written, 10, 1_000);
      written += 10;
    }
    long evicted = stats().dropped(DropReason.SPOOL_FULL);
    assertThat(evicted).isPositive();
    assertThat(messages()).anyMatch(m -> m.startsWith("durable-tracker: dropped " + evicted + " events (SPOOL_FULL): the spool "));
    int left = (int) (written - evicted);
    long now = System.nanoTime();
    assertThat(spooler.due(false, now, now, HOUR, left)).as("what is left is a full batch").isTrue();
    assertThat(spooler.due(false, now, now, HOUR, left + 1)).as("the evicted ones are not waiting any more").isFalse();

    int read = 0;
    OutgoingBatch batch;
    while ((batch = spooler.next(100, 1 << 20, System.nanoTime())) != null) {
      read += batch.size();
      context.delivered(batch, batch.size());
    }
    assertThat(read + evicted).isEqualTo(written);
    assertThat(spooler.hasUnsent()).isFalse();
    assertThat(stats().pending()).isZero();
    assertAccounted();
  }

  @Test
  void eventsInFlightWhenTheirSegmentIsEvictedAreCountedOnceAsSpoolFullAtTheNextStart() {
    SpoolConfig oneMebibyte = SpoolConfig.builder(directory).maxBytes(SpoolConfig.MIN_MAX_BYTES).build();
    Spooler spooler = open(oneMebibyte);
    append(spooler, 0, 5, 1_000);
    OutgoingBatch inFlight = spooler.next(5, 1 << 20, System.nanoTime());
    assertThat(ids(inFlight)).containsExactly("e0", "e1", "e2", "e3", "e4");
    int written = 5;
    while (stats().dropped(DropReason.SPOOL_FULL) == 0) {
      append(spooler, written, 1, 1_000);
      written++;
    }
    long evicted = stats().dropped(DropReason.SPOOL_FULL);
    long pendingAtClose = stats().pending();
    assertThat(pendingAtClose).as("the batch in flight is not counted as evicted").isEqualTo(written - evicted);
    assertAccounted();
    reopen(spooler); // the batch is still unresolved, as at a shutdown that ran out of time

    Spooler next = open(oneMebibyte);

    assertThat(stats().dropped(DropReason.CORRUPT)).isZero();
    assertThat(stats().dropped(DropReason.SPOOL_FULL)).isEqualTo(5);
    assertThat(messages()).anyMatch(m -> m.startsWith("durable-tracker: dropped 5 events (SPOOL_FULL): the spool "));
    assertThat(stats().recovered()).isEqualTo(pendingAtClose);
    assertThat(stats().pending()).isEqualTo(pendingAtClose - 5);
    assertAccounted();
    List<String> sent = new ArrayList<>();
    OutgoingBatch batch;
    while ((batch = next.next(100, 1 << 20, System.nanoTime())) != null) {
      sent.addAll(ids(batch));
      context.delivered(batch, batch.size());
    }
    assertThat(sent).hasSize((int) (pendingAtClose - 5)).startsWith("e" + (evicted + 5)).endsWith("e" + (written - 1));
    assertThat(stats().pending()).isZero();
    assertAccounted();
  }

  @Test
  void eventsInFlightWhenTheirSegmentExpiresAreCountedOnceAsExpiredAtTheNextStart() {
    // A second: time enough to read back on a busy machine, since the store's clock is the system's.
    SpoolConfig config =
        SpoolConfig.builder(directory).maxBytes(SpoolConfig.MIN_MAX_BYTES).maxAge(Duration.ofSeconds(1)).build();
    Spooler spooler = open(config);
    append(spooler, 0, 300, 1_000); // two 256 KiB segments
    long written = System.currentTimeMillis();
    List<OutgoingBatch> inFlight = new ArrayList<>();
    OutgoingBatch batch;
    while ((batch = spooler.next(100, 1 << 20, System.nanoTime())) != null) {
      inFlight.add(batch);
    }
    assertThat(inFlight).hasSize(3);
    await().pollDelay(Duration.ofMillis(1_000)).atMost(Duration.ofSeconds(10))
        .until(() -> System.currentTimeMillis() - written > 1_010);

    context.delivered(inFlight.get(2), inFlight.get(2).size()); // the first segment is deleted as expired

    assertThat(stats().dropped(DropReason.EXPIRED)).as("held, not skipped").isZero();
    long pendingAtClose = stats().pending();
    assertThat(pendingAtClose).isEqualTo(200);
    assertAccounted();
    reopen(spooler);

    open(config);

    assertThat(stats().dropped(DropReason.CORRUPT)).isZero();
    assertThat(stats().dropped(DropReason.EXPIRED)).isEqualTo(200);
    assertThat(stats().recovered()).isEqualTo(pendingAtClose);
    assertThat(stats().pending()).isZero();
    assertAccounted();
  }

  @Test
  void aFreshSpoolTakesEventsAndReportsNoFailure() {
    Spooler spooler = open();
    assertThat(spooler.hasRoomForIntake()).isTrue();
    assertThat(spooler.failures()).isZero();
    assertThat(spooler.lastFailure()).isNull();
    assertThat(messages()).isEmpty();
  }
  @Test
  void whileTheStoreFailsEventsAreKeptInMemoryInOrderAndIntakePausesAtTwoBatches() {
    Spooler spooler = open();
    spooler.store().close(); // every write, read and sync of the store fails from now on

    append(spooler, 0, 3);

    assertThat(spooler.failures()).isEqualTo(1);
    assertThat(spooler.lastFailure()).startsWith("spool write failed: java.lang.IllegalStateException");
    assertThat(messages())
        .anyMatch(m -> m.startsWith("durable-tracker: could not write the spool " + directory + " (")
            && m.endsWith("); keeping 3 events in memory and trying again later"));
    assertThat(spooler.hasRoomForIntake()).as("one batch in memory").isTrue();
    assertThat(spooler.hasUnsent()).isTrue();
    long now = System.nanoTime();
    assertThat(spooler.due(false, now, now, HOUR, 100)).as("what waits in memory is sent at once").isTrue();

    append(spooler, 3, 2);

    assertThat(spooler.failures()).as("not written while memory holds earlier events: order is kept").isEqualTo(1);
    assertThat(spooler.hasRoomForIntake()).as("two batches in memory").isFalse();
    assertThat(stats().pending()).isEqualTo(5);
    OutgoingBatch first = spooler.next(10, 1 << 20, now);
    assertThat(ids(first)).containsExactly("e0", "e1", "e2");
    assertThat(spooler.hasRoomForIntake()).isTrue();
    OutgoingBatch second = spooler.next(10, 1 << 20, now);
    assertThat(ids(second)).containsExactly("e3", "e4");
    assertThat(spooler.hasUnsent()).isFalse();
    assertThat(spooler.due(true, now, now, HOUR, 1)).as("nothing waits, even when closing").isFalse();
    context.delivered(first, 3);
    context.delivered(second, 2);
    assertThat(stats().delivered()).isEqualTo(5);
    assertThat(stats().pending()).isZero();
    assertAccounted();
  }

  @Test
  void eventsKeptInMemoryAreLetGoWhenTheSenderForgetsThem() {
    Spooler spooler = open();
    spooler.store().close();
    append(spooler, 0, 2);
    assertThat(spooler.hasUnsent()).isTrue();

    spooler.forgetMemory();

    assertThat(spooler.hasUnsent()).isFalse();
    assertThat(spooler.next(10, 1 << 20, System.nanoTime())).isNull();
  }

  @Test
  void aFailedReadIsTriedAgainFiveSecondsLaterAndTheEventsStayWaiting() {
    Spooler spooler = open();
    append(spooler, 0, 2);
    spooler.store().close();
    long now = System.nanoTime();

    assertThat(spooler.next(10, 1 << 20, now)).isNull();

    assertThat(spooler.failures()).isEqualTo(1);
    assertThat(spooler.lastFailure()).startsWith("spool read failed: java.lang.IllegalStateException");
    assertThat(messages()).anyMatch(m -> m.startsWith("durable-tracker: could not read the spool ") && m.endsWith("; trying again in 5 s"));
    assertThat(spooler.hasUnsent()).as("still waiting on disk").isTrue();
    long retry = now + Duration.ofSeconds(5).toNanos();
    assertThat(spooler.due(true, retry - 1, now, HOUR, 1)).as("before the pause is over").isFalse();
    assertThat(spooler.due(true, retry, now, HOUR, 1)).as("once it is over").isTrue();
  }

  @Test
  void aRecordDamagedOnDiskIsDroppedAsCorruptWhenReadAndTheOthersAreSent() throws IOException {
    Spooler spooler = open();
    append(spooler, 0, 3);
    damage("{\"n\":1,");

    OutgoingBatch batch = spooler.next(10, 1 << 20, System.nanoTime());

    assertThat(ids(batch)).containsExactly("e0", "e2");
    assertThat(stats().dropped(DropReason.CORRUPT)).isEqualTo(1);
    assertThat(messages())
        .contains("durable-tracker: dropped 1 events (CORRUPT): their records in the spool " + directory + " were damaged");
    assertThat(spooler.hasUnsent()).isFalse();
    context.delivered(batch, 2);
    assertThat(stats().pending()).isZero();
    assertAccounted();
  }

  @Test
  void aRecordDamagedBeforeARestartIsCountedAsCorruptAndNamedInTheRecoveryLine() throws IOException {
    Spooler spooler = open();
    append(spooler, 0, 3);
    reopen(spooler);
    damage("{\"n\":1,");

    open();

    assertThat(stats().recovered()).isEqualTo(3);
    assertThat(stats().dropped(DropReason.CORRUPT)).isEqualTo(1);
    assertThat(messages())
        .contains("durable-tracker: found 2 undelivered events in the spool " + directory
            + " (1 more were damaged: CORRUPT); sending them first");
    assertAccounted();
  }

  /** Changes one byte of the only record in the spool's segment files that contains {@code text}. */
  private void damage(String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    try (DirectoryStream<Path> segments = Files.newDirectoryStream(directory, "segment-*.log")) {
      for (Path segment : segments) {
        byte[] bytes = Files.readAllBytes(segment);
        for (int i = 0; i + needle.length <= bytes.length; i++) {
          if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
            try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
              file.seek(i + 1);
              file.write('N');
            }
            return;
          }
        }
      }
    }
    throw new AssertionError("no record contains " + text);
  }
}
