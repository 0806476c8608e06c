package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.http.DeliveryStatus;
import dev.durableeffect.tracker.http.SendListener;
import dev.durableeffect.tracker.spool.SpoolConfig;
import dev.durableeffect.tracker.spool.SpoolStatus;
import dev.durableeffect.tracker.spool.SpoolStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a tracker that does not depend on where events go: {@link #emit} validates and
 * enqueues in O(1) on the caller's thread (no I/O, no locks, no JSON); one daemon thread of the
 * engine's own forms batches by size, bytes and age, enriches them with {@code env} and {@code
 * serviceKey}, serializes each event once, and hands the batches to a {@link Transport}. Every event
 * handed to {@code emit} ends up delivered, dropped under a {@link DropReason}, or pending: {@code
 * emitted == delivered + dropped + pending} at every quiescent point.
 */
public final class DeliveryEngine implements AutoCloseable {

  /** Largest {@code maxQueueSize}: the queue is a ring of references sized up to a power of two. */
  public static final int MAX_QUEUE_SIZE = EventQueue.MAX_CAPACITY;

  private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryEngine.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final Duration ABORT_GRACE = Duration.ofSeconds(2);

  private final EngineSettings settings;
  private final EventQueue queue;
  private final DeliveryCounters counters;
  private final FlushWaiters waiters = new FlushWaiters();
  private final SenderLoop loop;
  private final @Nullable Spooler spooler;
  private final Thread senderThread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile boolean closedFlag;

  private DeliveryEngine(EngineSettings settings, Transport.Factory transports) {
    this.settings = settings;
    this.queue = new EventQueue(settings.maxQueueSize());
    this.counters = new DeliveryCounters(Clock.systemUTC());
    RateLimitedLog log = new RateLimitedLog(LOGGER, Duration.ofSeconds(30));
    SpoolConfig spool = settings.spool();
    this.spooler = spool == null ? null : Spooler.open(spool, counters, log);
    try {
      this.loop = new SenderLoop(settings, queue, counters, waiters, transports, spooler, log, SenderLoop.MAX_PARK_NANOS);
    } catch (RuntimeException | Error e) {
      if (spooler != null) {
        spooler.close();
      }
      throw e;
    }
    this.senderThread = new Thread(loop, settings.threadName() + "-" + THREADS.incrementAndGet());
    senderThread.setDaemon(true);
  }

  /**
   * Creates the transport with {@code transports} and starts the sender thread (a daemon named
   * {@code threadName-N}). With a spool, opens it first (on this thread): locks the directory and
   * recovers what a previous process left there, which is sent first.
   *
   * @throws IllegalStateException naming the directory, when the spool directory is used by another
   *     process or cannot be used
   */
  public static DeliveryEngine start(EngineSettings settings, Transport.Factory transports) {
    DeliveryEngine engine = new DeliveryEngine(settings, transports);
    engine.senderThread.start();
    return engine;
  }

  /** Accepts {@code event} for delivery, or counts it dropped; never blocks, never throws. */
  public void emit(@Nullable WorkflowEvent event) {
    if (event == null) {
      counters.refused(DropReason.INVALID);
      return;
    }
    if (closedFlag) {
      counters.refused(DropReason.CLOSED);
      return;
    }
    long depth = queue.offer(event);
    if (depth < 0) {
      counters.refused(depth == EventQueue.FULL ? DropReason.QUEUE_FULL : DropReason.CLOSED);
      return;
    }
    loop.nudge(depth);
  }

  /**
   * Completes once every event accepted before this call is delivered or dropped: tracked by
   * sequence number, so events accepted later (and dropped early) cannot complete it sooner.
   */
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long target = queue.accepted();
    waiters.add(target, done);
    if (spooler == null) {
      waiters.completeUpTo(counters.watermark());
    }
    if (terminated.isDone()) {
      waiters.completeAll();
    }
    loop.wake();
    return done;
  }

  /** Events accepted (or recovered from the spool) and not yet delivered or dropped. */
  public long pending() {
    return Math.max(0, queue.accepted() + counters.recovered() - counters.resolved());
  }

  /** What the disk spool holds now, or null without a spool. */
  public @Nullable SpoolStatus spoolStatus() {
    Spooler spool = spooler;
    if (spool == null) {
      return null;
    }
    SpoolStore store = spool.store();
    long oldest = store.oldestAppendedAtMillis();
    Duration age = oldest < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - oldest));
    return new SpoolStatus(store.directory(), store.bytes(), store.segments(), age, spool.failures(), spool.lastFailure());
  }

  /** A snapshot of the accounting. */
  public TrackerStats stats() {
    return counters.snapshot(queue.accepted());
  }

  /** How delivery has been going: last success, last failure and its reason. */
  public DeliveryStatus deliveryStatus() {
    return counters.status();
  }

  /** Events waiting in the queue (not counting the batches being sent). */
  public long queueSize() {
    return queue.size();
  }

  /** Observes every send from now on, for metrics. */
  public void addSendListener(SendListener listener) {
    loop.addListener(listener);
  }

  /** The settings this engine runs with. */
  public EngineSettings settings() {
    return settings;
  }

  /**
   * Stops intake, delivers what it can within {@code shutdownTimeout}, counts what is left as
   * dropped ({@link DropReason#CLOSED}), stops the sender thread and closes the transport. With a
   * spool, what was written to it and not delivered stays there for the next start (pending, not
   * dropped), and the directory is released.
   * Idempotent; a second call waits for the first to finish. Never throws; an interrupt of the
   * calling thread does not cut the drain short and is restored on return.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      terminated.join();
      return;
    }
    boolean interrupted = Thread.interrupted();
    try {
      closedFlag = true;
      long accepted = queue.close();
      long now = System.nanoTime();
      long deadline = now + settings.shutdownTimeout().toNanos();
      loop.beginClose(accepted, deadline);
      interrupted |= joinSender(deadline + ABORT_GRACE.toNanos());
      if (senderThread.isAlive()) {
        loop.abort();
        interrupted |= joinSender(System.nanoTime() + ABORT_GRACE.toNanos());
      }
      long left = counters.closeOut(accepted);
      if (left > 0) {
        LOGGER.warn(
            "durable-tracker: dropped {} events (CLOSED): still waiting when shutdown ended", left);
      }
      waiters.completeAll();
      closeTransport();
      closeSpool();
      TrackerStats stats = stats();
      LOGGER.info(
          "durable-tracker: closed; emitted {}, delivered {}, dropped {} {}",
          stats.emitted(),
          stats.delivered(),
          stats.dropped(),
          stats.droppedByReason());
    } catch (Throwable e) {
      LOGGER.warn("durable-tracker: error while closing", e);
    } finally {
      terminated.complete(null);
      waiters.completeAll();
      if (spooler != null) {
        spooler.completeAllFlushes();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeSpool() {
    Spooler spool = spooler;
    if (spool == null) {
      return;
    }
    spool.completeAllFlushes();
    if (senderThread.isAlive()) {
      // A sender stuck past the abort grace may still touch the store; leave it open (the lock
      // goes with the process).
      LOGGER.warn("durable-tracker: the sender thread did not stop; the spool stays open");
      return;
    }
    long kept = counters.spoolPending();
    spool.close();
    if (kept > 0) {
      LOGGER.info(
          "durable-tracker: {} undelivered events stay in the spool {} for the next start",
          kept,
          spool.store().directory());
    }
  }

  private void closeTransport() {
    try {
      loop.transport().close();
    } catch (Throwable e) {
      LOGGER.warn("durable-tracker: error while closing the transport to {}", settings.destination(), e);
    }
  }

  /** Waits for the sender thread until {@code untilNanos}; true if this thread was interrupted meanwhile. */
  private boolean joinSender(long untilNanos) {
    boolean interrupted = false;
    while (senderThread.isAlive()) {
      long nanos = untilNanos - System.nanoTime();
      if (nanos <= 0) {
        break;
      }
      try {
        senderThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    return interrupted;
  }
}
