package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog.Level;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.spool.SpoolConfig;
import dev.durableeffect.tracker.spool.SpoolRecord;
import dev.durableeffect.tracker.spool.SpoolStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The sender's side of the disk spool: events taken from the queue are written to the {@link
 * SpoolStore} at once, and batches are read back from it in order when the transport has room.
 * Sender thread only, except the status getters.
 *
 * <h2>Accounting</h2>
 * Written events leave the queue's ledger ({@link DeliveryCounters#spooled}) and stay pending in the
 * spool until a batch read back is resolved; then its records are acknowledged to the store. Records
 * the store skips (expired, damaged) or evicts (over {@code maxBytes}) are counted dropped when it
 * reports them. {@link #unread} counts records in the store not read yet, so the sender knows when
 * a batch is due and when everything is out. A batch read back whose segment is then evicted or
 * expires stays with the sender and is counted by its outcome; if it is still unresolved when the
 * spool closes (or the process dies), the next start counts it, as {@link DropReason#SPOOL_FULL} or
 * {@link DropReason#EXPIRED}: its records are no longer on disk.
 *
 * <h2>When the disk fails</h2>
 * A failed write (disk full, I/O error) keeps those events in memory, as batches sent after every
 * spooled record (emit order is kept), logs it and counts it for the health check; while events
 * wait in memory new ones follow them there, and the spool is tried again once they are out.
 *
 * <h2>Flushes</h2>
 * A flush waits in two stages: for its events to leave the queue's ledger (written, or dropped),
 * then for every record written by then to be resolved ({@link #completeFlushes}).
 */
final class Spooler implements SpoolSource {

  private static final long RETRY_NANOS = Duration.ofSeconds(5).toNanos();
  private static final int MEMORY_BATCHES = 2;

  private final SpoolStore store;
  private final long maxAgeMillis;
  private final long syncIntervalNanos;
  /** Written since the last successful fsync. */
  private boolean unsynced;
  /** When the next sync is due: {@code syncInterval} after the last one, 5 s after a failed one. */
  private long syncDueNanos;
  private final DeliveryCounters counters;
  private final RateLimitedLog log;
  private final FlushWaiters spoolWaiters = new FlushWaiters();
  /** Batches read back and not resolved yet, oldest first. */
  private final ArrayDeque<SpoolRange> outstanding = new ArrayDeque<>();
  /** Events kept in memory after a failed write, oldest first. */
  private final ArrayDeque<OutgoingBatch> memory = new ArrayDeque<>();

  private long unread;
  private boolean backlog;
  private long lastRead = -1;
  private long readRetryAtNanos;
  private volatile long failures;
  private volatile @Nullable String lastFailure;

  private Spooler(SpoolStore store, SpoolConfig config, DeliveryCounters counters, RateLimitedLog log) {
    this.store = store;
    this.maxAgeMillis = config.maxAge().toMillis();
    this.syncIntervalNanos = config.syncInterval().toNanos();
    this.syncDueNanos = System.nanoTime() + syncIntervalNanos;
    this.counters = counters;
    this.log = log;
    SpoolStore.Recovery recovery = store.recovery();
    // Records the previous run held when their segment went were pending there: found, then dropped.
    counters.recovered(recovery.records() + recovery.evicted() + recovery.expired(), recovery.corrupt());
    this.unread = recovery.records();
    this.backlog = unread > 0;
    if (recovery.records() > 0 || recovery.corrupt() > 0) {
      log.log(
          Level.INFO,
          "spool-recovered",
          recovery.records(),
          "durable-tracker: found "
              + recovery.records()
              + " undelivered events in the spool "
              + store.directory()
              + (recovery.corrupt() > 0 ? " (" + recovery.corrupt() + " more were damaged: CORRUPT)" : "")
              + "; sending them first");
    }
    if (recovery.evicted() > 0) {
      dropped(
          DropReason.SPOOL_FULL,
          recovery.evicted(),
          "the spool "
              + store.directory()
              + " evicted their segment while they were being sent, and they were not delivered before the"
              + " previous run ended");
    }
    if (recovery.expired() > 0) {
      dropped(
          DropReason.EXPIRED,
          recovery.expired(),
          "their segment in the spool "
              + store.directory()
              + " passed maxAge while they were being sent, and they were not delivered before the previous"
              + " run ended");
    }
  }

  /**
   * Opens the spool in {@code config}'s directory on the caller's thread (the tracker's creation):
   * locks it, recovers what a previous process left, and counts it.
   *
   * @throws IllegalStateException naming the directory, when it is in use or cannot be used
   */
  static Spooler open(SpoolConfig config, DeliveryCounters counters, RateLimitedLog log) {
    try {
      return new Spooler(SpoolStore.open(config, Clock.systemUTC()), config, counters, log);
    } catch (IOException e) {
      throw new IllegalStateException(
          "durable-tracker: the spool directory " + config.directory().toAbsolutePath() + " cannot be used: " + e.getMessage(),
          e);
    }
  }

  /** Whether the sender may take more events from the queue: not while memory holds enough. */
  boolean hasRoomForIntake() {
    return memory.size() < MEMORY_BATCHES;
  }

  /** Writes one assembled run of events of {@code span}; on failure keeps them in memory. */
  void append(List<SpoolRecord> records, Ledger.Span span) {
    if (memory.isEmpty()) {
      try {
        store.append(records);
        unsynced = true;
        counters.spooled(span, records.size());
        unread += records.size();
        dropEvicted();
        return;
      } catch (IOException | RuntimeException e) {
        failed("write", e, records.size(), "; keeping " + records.size() + " events in memory and trying again later");
      }
    }
    memory.addLast(new OutgoingBatch(records, span, null));
  }

  /**
   * Forces what was written to disk once {@code syncInterval} has passed since the last time, also
   * when no more writes come (the store forces data only as it appends and acknowledges). A failed
   * sync is counted, logged and tried again 5 s later.
   *
   * @return the {@code nanoTime} of the next sync due, or {@link Transport#NO_TIMER}
   */
  long syncIfDue(long now) {
    if (!unsynced) {
      return Transport.NO_TIMER;
    }
    if (now - syncDueNanos < 0) {
      return syncDueNanos;
    }
    try {
      store.sync();
      unsynced = false;
      syncDueNanos = now + syncIntervalNanos;
      return Transport.NO_TIMER;
    } catch (IOException | RuntimeException e) {
      syncDueNanos = now + RETRY_NANOS;
      failed("sync", e, 0, "; trying again in 5 s");
      return syncDueNanos;
    }
  }

  /** Whether a batch should be read now. */
  boolean due(boolean closing, long now, long oldestNanos, long intervalNanos, int batchSize) {
    if (!memory.isEmpty() && unread == 0) {
      return true;
    }
    if (unread <= 0 || now - readRetryAtNanos < 0) {
      return false;
    }
    return closing
        || backlog
        || unread >= batchSize
        || spoolWaiters.waitingBeyond(Long.MIN_VALUE)
        || now - oldestNanos >= intervalNanos;
  }

  /** Whether events wait to be read (or in memory). */
  boolean hasUnsent() {
    return unread > 0 || !memory.isEmpty();
  }

  /**
   * The next batch: spooled records first (older), then what waits in memory. Null when there is
   * none, or reading failed (tried again after a pause).
   */
  @Nullable OutgoingBatch next(int maxRecords, int maxBatchBytes, long now) {
    if (unread > 0) {
      List<SpoolRecord> records;
      try {
        records = store.read(maxRecords, maxBatchBytes - OutgoingBatch.BODY_OVERHEAD);
      } catch (IOException | RuntimeException e) {
        readRetryAtNanos = now + RETRY_NANOS;
        failed("read", e, 0, "; trying again in 5 s");
        return null;
      } finally {
        dropSkipped();
      }
      backlog = false;
      if (!records.isEmpty()) {
        unread -= records.size();
        long first = records.get(0).sequence();
        long last = records.get(records.size() - 1).sequence();
        lastRead = last;
        SpoolRange range = new SpoolRange(first, (int) (last - first + 1), records.size());
        outstanding.addLast(range);
        return new OutgoingBatch(records, null, range);
      }
      // The store found nothing more (skipped or evicted records): unread is settled by the drains.
      if (unread > 0) {
        unread = 0;
      }
    }
    return memory.pollFirst();
  }

  @Override
  public boolean expired(long appendedAtMillis) {
    return appendedAtMillis > 0 && System.currentTimeMillis() - appendedAtMillis > maxAgeMillis;
  }

  @Override
  public void resolved(SpoolRange range, int count) {
    if (range.resolve(count)) {
      outstanding.remove(range);
      store.acknowledge(range.firstSequence, range.count);
    }
  }

  /**
   * Drops, as {@code reason}, what was read back and is not resolved: for when the sender lost track
   * of it (a failure of the sender), so that it is still counted once.
   */
  void abandonOutstanding(DropReason reason) {
    for (Iterator<SpoolRange> it = outstanding.iterator(); it.hasNext(); ) {
      SpoolRange range = it.next();
      int left = range.unresolved();
      if (left > 0) {
        counters.dropped(null, reason, left, true);
      }
      store.acknowledge(range.firstSequence, range.count);
      it.remove();
    }
  }

  /** Lets go of the events kept in memory: the caller drops them through the ledger. */
  void forgetMemory() {
    memory.clear();
  }

  /**
   * Moves flushes whose events have all left the queue's ledger to the spool stage, then completes
   * those whose spooled records are all resolved.
   */
  void completeFlushes(FlushWaiters waiters, long ledgerWatermark) {
    List<CompletableFuture<Void>> promoted = waiters.takeUpTo(ledgerWatermark);
    if (!promoted.isEmpty()) {
      long target = store.nextSequence();
      for (CompletableFuture<Void> future : promoted) {
        spoolWaiters.add(target, future);
      }
    }
    spoolWaiters.completeUpTo(resolvedBelow());
  }

  /** Completes every flush, waiting or not (at close). */
  void completeAllFlushes() {
    spoolWaiters.completeAll();
  }

  /** Every record with a lower sequence number is resolved (a lower bound). */
  private long resolvedBelow() {
    long mark = unread > 0 ? lastRead + 1 : store.nextSequence();
    SpoolRange first = outstanding.peekFirst();
    if (first != null && first.firstSequence < mark) {
      mark = first.firstSequence;
    }
    return mark;
  }

  /** Keeps what is not delivered on disk and releases the directory. */
  void close() {
    store.close();
  }

  SpoolStore store() {
    return store;
  }

  long failures() {
    return failures;
  }

  @Nullable String lastFailure() {
    return lastFailure;
  }

  private void dropEvicted() {
    long evicted = store.drainEvicted();
    if (evicted > 0) {
      unread -= evicted;
      dropped(
          DropReason.SPOOL_FULL,
          evicted,
          "the spool " + store.directory() + " was over maxBytes, its oldest segment was evicted unsent");
    }
  }

  private void dropSkipped() {
    long expired = store.drainExpired();
    if (expired > 0) {
      unread -= expired;
      dropped(DropReason.EXPIRED, expired, "they waited in the spool longer than maxAge");
    }
    long corrupt = store.drainCorrupt();
    if (corrupt > 0) {
      unread -= corrupt;
      dropped(DropReason.CORRUPT, corrupt, "their records in the spool " + store.directory() + " were damaged");
    }
  }

  /** Counts {@code count} spooled events dropped as {@code reason} and logs why. */
  private void dropped(DropReason reason, long count, String why) {
    counters.dropped(null, reason, count, true);
    log.log(
        Level.WARN,
        "dropped-" + reason,
        count,
        "durable-tracker: dropped " + count + " events (" + reason + "): " + why);
  }

  /**
   * Counts and logs a failed store operation that concerns {@code events} events; {@code then} says
   * what happens next.
   */
  private void failed(String what, Throwable error, int events, String then) {
    failures++;
    String reason = error instanceof UncheckedIOException u ? String.valueOf(u.getCause()) : String.valueOf(error);
    lastFailure = "spool " + what + " failed: " + reason;
    log.log(
        Level.WARN,
        "spool-" + what,
        events,
        "durable-tracker: could not "
            + what
            + " the spool "
            + store.directory()
            + " ("
            + reason
            + ")"
            + then);
  }
}
