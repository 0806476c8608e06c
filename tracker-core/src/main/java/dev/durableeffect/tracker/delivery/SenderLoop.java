package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog.Level;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.http.SendListener;
import dev.durableeffect.tracker.spool.SpoolRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The tracker's one sender thread: takes events from the queue when a batch is due, has the {@link
 * BatchAssembler} serialize them, and hands the batches to the {@link Transport} that sends them
 * (for HTTP, a lane with one request in flight).
 *
 * <h2>When a batch is due</h2>
 * Events are taken when the lane has room and one of these holds: the queue holds a full batch; the oldest waiting event is {@code flushInterval} old; a
 * {@code flush()} waits for events still in the queue; the tracker is closing. All that wait are
 * taken, up to {@code maxBatchSize}: while a request is in flight events back up, and the next
 * batch grows with them, so one request at a time keeps up with an endpoint far away (at 50 ms
 * per request, 2,000 events a batch carry 40,000 events/s). The age of the oldest
 * event is measured from when the thread first saw the queue non-empty, and the thread is woken for
 * that (see below) even while a request is in flight or waiting to be retried, so an event never
 * waits longer than {@code flushInterval} after the lane is free again.
 *
 * <h2>Who wakes whom</h2>
 * Before it parks, the thread publishes one of three states in {@code sleepState}, then looks at the
 * queue once more:
 * <ul>
 *   <li>{@code IDLE}: it saw the queue empty; the next producer wakes it.
 *   <li>{@code WAITING}: it holds back events younger than {@code flushInterval} while the lane has
 *       room; a producer wakes it once the queue holds a full batch. It parks until the oldest is due.
 *   <li>{@code RUNNING}: it is working, or waiting for something producers cannot change (the lane is
 *       full: a request in flight and one batch ahead); producers never wake it.
 * </ul>
 * A producer offers first and reads the state after, the thread publishes the state first and reads
 * the queue after; both are volatile accesses, so one of them sees the other and no wake-up is lost.
 * Everything else wakes the thread with an unconditional unpark, whose permit is never lost: a
 * finished request (its future's callback), {@code flush()} and {@code close()}. Timers are park
 * deadlines: the oldest event's due time, a retry time, the shutdown deadline, and at most one
 * second, so drops counted on callers' threads are logged promptly.
 *
 * <h2>Pipelining and memory</h2>
 * The lane holds the batch being sent plus one batch ahead, serialized and compressed while the
 * request is in flight. Events taken but not yet assembled wait in {@code taken} until the lane
 * has room; one take is at most {@code maxBatchSize} events, and the batch ahead and the one in
 * flight come from earlier takes. So at most {@code maxQueueSize + 2 * maxBatchSize} events are
 * pending, every one of them counted.
 *
 * <h2>With a disk spool</h2>
 * Events are taken from the queue as soon as {@code batchSize} wait or the oldest has waited 200 ms
 * (or {@code flushInterval}, if shorter), serialized and written to the spool by the {@link
 * Spooler}, all of a take at once; batches are then read back from the spool whenever the
 * transport has room and a batch is due (a full batch waits, the oldest unsent record is {@code
 * flushInterval} old, a flush waits for them, the tracker is closing, or records were recovered at
 * start). Written events leave the queue's ledger and stay pending in the spool until resolved.
 *
 * <h2>Accounting</h2>
 * Every event taken from the queue belongs to a {@link Ledger.Span} and is resolved exactly once,
 * delivered or dropped, through the {@link TransportContext}. If anything escapes the loop (a bug, an error of
 * the JVM outside one event's serialization), the events held at that moment are dropped as {@link
 * DropReason#INTERNAL_ERROR}, the error is logged (rate limited) and the loop goes on.
 */
final class SenderLoop implements Runnable {

  private static final long NONE = Long.MIN_VALUE;
  /** With a spool, the longest an event waits in the queue before it is written to disk. */
  private static final long SPOOL_WRITE_INTERVAL_NANOS = Duration.ofMillis(200).toNanos();
  /** The longest the thread parks: the timer that logs refusals counted on callers' threads. */
  static final long MAX_PARK_NANOS = Duration.ofSeconds(1).toNanos();
  /** How long the thread parks while a producer finishes publishing a slot it claimed. */
  private static final long PUBLICATION_PARK_NANOS = Duration.ofNanos(50_000).toNanos();
  private static final int PUBLICATION_SPINS = 128;
  private static final long FAILURE_PAUSE_NANOS = Duration.ofMillis(10).toNanos();
  private static final DropReason[] REFUSALS = {DropReason.QUEUE_FULL, DropReason.CLOSED, DropReason.INVALID};

  private static final long RUNNING = 0;
  private static final long IDLE = 1;
  private static final long WAITING = 2;

  private final EventQueue queue;
  private final DeliveryCounters counters;
  private final FlushWaiters waiters;
  private final BatchAssembler assembler;
  private final TransportContext context;
  private final Transport lane;
  private final RateLimitedLog log;
  private final int batchSize;
  private final int maxBatchSize;
  private final int maxBatchBytes;
  /** How long events wait in the queue for a batch: {@code flushInterval}, or shorter with a spool. */
  private final long intervalNanos;
  private final long flushIntervalNanos;
  private final @Nullable Spooler spooler;
  private final EnumMap<DropReason, Long> reportedRefusals = new EnumMap<>(DropReason.class);
  private final BatchAssembler.Drops drops;
  private final long maxParkNanos;

  private final PaddedSequence sleepState = new PaddedSequence();
  private volatile @Nullable Thread thread;
  private volatile boolean closing;
  private volatile long closeDeadline;
  private volatile long finalAccepted;
  private volatile boolean abort;

  // Sender thread only.
  private long oldestSince = NONE;
  private long unsentSince = NONE;
  private BatchAssembler.@Nullable Taken taken;

  /**
   * @param maxParkNanos the longest the thread parks: {@link #MAX_PARK_NANOS} in production; tests
   *     set an hour, so that a wake-up the protocol owes (a producer's, a flush's, a transport's
   *     timer) is never made up for by the periodic one
   */
  SenderLoop(
      EngineSettings settings,
      EventQueue queue,
      DeliveryCounters counters,
      FlushWaiters waiters,
      Transport.Factory transports,
      @Nullable Spooler spooler,
      RateLimitedLog log,
      long maxParkNanos) {
    this.maxParkNanos = maxParkNanos;
    this.queue = queue;
    this.counters = counters;
    this.waiters = waiters;
    this.spooler = spooler;
    this.assembler = new BatchAssembler(settings);
    this.context = new TransportContext(counters, log, this::wake, spooler);
    this.lane = transports.create(context);
    this.log = log;
    this.batchSize = settings.batchSize();
    this.maxBatchSize = settings.maxBatchSize();
    this.maxBatchBytes = settings.maxBatchBytes();
    this.flushIntervalNanos = settings.flushInterval().toNanos();
    this.intervalNanos =
        spooler == null ? flushIntervalNanos : Math.min(flushIntervalNanos, SPOOL_WRITE_INTERVAL_NANOS);
    this.drops =
        (span, reason, detail) -> {
          counters.dropped(span, reason, 1);
          context.logDrop(reason, 1, detail);
        };
  }

  void addListener(SendListener listener) {
    context.addListener(listener);
  }

  /** The transport, for {@link DeliveryEngine#close()} to release once this thread has stopped. */
  Transport transport() {
    return lane;
  }

  /**
   * Stop waiting for full batches: send everything up to {@code accepted} (the queue is closed), and
   * give up on what is left at {@code deadlineNanos}.
   */
  void beginClose(long accepted, long deadlineNanos) {
    finalAccepted = accepted;
    closeDeadline = deadlineNanos;
    closing = true;
    wake();
  }

  /** Give up at once: the thread drops what it holds as {@link DropReason#CLOSED} and stops. */
  void abort() {
    abort = true;
    wake();
  }

  /** Wakes the thread whatever it waits for. */
  void wake() {
    Thread sender = thread;
    if (sender != null) {
      LockSupport.unpark(sender);
    }
  }

  /**
   * Called by a producer after its event is in the queue: wakes the sender if it is idle, or if it
   * waits for a full batch and one is there. {@code depthBound} is an upper bound of the depth.
   */
  void nudge(long depthBound) {
    long state = sleepState.get();
    if (state == RUNNING) {
      return;
    }
    boolean wakeNow = state == IDLE || (depthBound >= batchSize && queue.size() >= batchSize);
    if (wakeNow && sleepState.compareAndSet(state, RUNNING)) {
      wake();
    }
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    boolean more = true;
    while (more) {
      try {
        more = step();
      } catch (Throwable e) {
        failed(e);
      }
    }
  }

  /** One turn of the loop; false once the tracker is closed and nothing is left to do. */
  private boolean step() {
    if (Thread.interrupted()) {
      log.log(Level.INFO, "interrupted", 0, "durable-tracker: the sender thread was interrupted; it keeps running until close()");
    }
    reportRefusals();
    long now = System.nanoTime();
    boolean closingNow = closing;
    long deadline = closeDeadline;
    if (closingNow && (abort || now - deadline >= 0)) {
      dropHeld(DropReason.CLOSED, "shutdown timeout reached");
      return false;
    }
    long timer = lane.advance(now, closingNow, deadline);
    long depth = queue.size();
    if (depth == 0) {
      oldestSince = NONE;
    } else if (oldestSince == NONE) {
      oldestSince = now;
    }
    if (intakeRoom()) {
      if (taken == null && depth > 0 && due(now, depth, closingNow)) {
        if (!queue.headPublished()) {
          awaitPublication();
          return true;
        }
        taken = take(depth);
        if (queue.size() == 0) {
          oldestSince = NONE;
        }
        // Otherwise the rest keeps the age of the oldest event seen: it is sent no later than
        // flushInterval after that.
      }
      BatchAssembler.Taken hand = taken;
      if (hand != null) {
        Spooler spool = spooler;
        if (spool == null) {
          List<SpoolRecord> records = assembler.next(hand, drops);
          if (hand.isEmpty()) {
            taken = null;
          }
          if (records != null) {
            lane.add(new OutgoingBatch(records, hand.span(), null));
          }
          waiters.completeUpTo(counters.watermark());
          return true;
        }
        while (!hand.isEmpty() && spool.hasRoomForIntake()) {
          List<SpoolRecord> records = assembler.next(hand, drops);
          if (records != null) {
            spool.append(records, hand.span());
          }
        }
        if (hand.isEmpty()) {
          taken = null;
        }
      }
    }
    Spooler spool = spooler;
    if (spool != null) {
      if (!spool.hasUnsent()) {
        unsentSince = NONE;
      } else if (unsentSince == NONE) {
        unsentSince = now;
      }
      // Before reading: a flush whose events are all written makes the rest of the spool due now.
      spool.completeFlushes(waiters, counters.watermark());
      if (lane.hasRoom() && spool.due(closingNow, now, unsentSince, flushIntervalNanos, batchSize)) {
        OutgoingBatch batch = spool.next(maxBatchSize, maxBatchBytes, now);
        if (batch != null) {
          lane.add(batch);
          unsentSince = NONE;
          return true;
        }
      }
      if (spool.hasUnsent() && lane.hasRoom()) {
        timer = earliest(timer, unsentSince + flushIntervalNanos);
      }
      timer = earliest(timer, spool.syncIfDue(now));
    } else {
      waiters.completeUpTo(counters.watermark());
    }
    if (closingNow
        && taken == null
        && lane.idle()
        && queue.taken() == finalAccepted
        && (spool == null || !spool.hasUnsent() || !lane.hasRoom())) {
      // With a spool, what is left unsent stays there; a lane without room while idle has stopped.
      return false;
    }
    park(now, timer, depth, closingNow, deadline);
    return true;
  }

  /** The earlier of two timers, either of which may be {@link Transport#NO_TIMER}. */
  private static long earliest(long timer, long other) {
    if (other == Transport.NO_TIMER) {
      return timer;
    }
    return timer == Transport.NO_TIMER || other - timer < 0 ? other : timer;
  }

  /** Whether events may be taken from the queue: the lane (or, with a spool, the spool) has room. */
  private boolean intakeRoom() {
    Spooler spool = spooler;
    return spool == null ? lane.hasRoom() : spool.hasRoomForIntake();
  }

  private boolean due(long now, long depth, boolean closingNow) {
    return closingNow
        || depth >= batchSize
        || now - oldestSince >= intervalNanos
        || waiters.waitingBeyond(counters.watermark());
  }

  /**
   * Takes the events that are due: a full batch, or more while they back up (up to {@code
   * maxBatchSize}), so that one request in flight keeps up with a distant endpoint.
   */
  private BatchAssembler.Taken take(long depth) {
    long start = queue.taken();
    List<WorkflowEvent> events = new ArrayList<>((int) Math.min(maxBatchSize, depth));
    int count = queue.drainTo(events, maxBatchSize);
    return new BatchAssembler.Taken(events, counters.taken(start, count));
  }

  /**
   * A producer claimed the next slot and has not filled it yet (it was preempted between the two):
   * spin briefly, then park briefly. Allocates nothing; the caller goes round the loop again.
   */
  private void awaitPublication() {
    for (int i = 0; i < PUBLICATION_SPINS; i++) {
      if (queue.headPublished()) {
        return;
      }
      Thread.onSpinWait();
    }
    LockSupport.parkNanos(this, PUBLICATION_PARK_NANOS);
  }

  private void park(long now, long timer, long depth, boolean closingNow, long deadline) {
    long until = now + maxParkNanos;
    if (timer != Transport.NO_TIMER && timer - until < 0) {
      until = timer;
    }
    if (closingNow && deadline - until < 0) {
      until = deadline;
    }
    long state;
    if (depth == 0) {
      state = IDLE;
    } else if (intakeRoom() && taken == null) {
      state = WAITING;
      long due = oldestSince + intervalNanos;
      if (due - until < 0) {
        until = due;
      }
    } else {
      state = RUNNING;
    }
    sleepState.set(state);
    // Look again after publishing the state: an event offered before it is seen here.
    boolean changed =
        (state == IDLE && queue.size() > 0) || (state == WAITING && queue.size() >= batchSize);
    long nanos = until - System.nanoTime();
    if (!changed && nanos > 0) {
      LockSupport.parkNanos(this, nanos);
    }
    sleepState.set(RUNNING);
  }

  /**
   * Drops everything the thread holds (events taken but not assembled, the lane's batches, the
   * request in flight), through the ledger: exact even if a failure left the lane half-updated.
   */
  private void dropHeld(DropReason reason, String detail) {
    taken = null;
    lane.forget();
    Spooler spool = spooler;
    if (spool != null) {
      spool.forgetMemory();
      if (reason != DropReason.CLOSED) {
        // Batches read back and lost track of; at shutdown they stay in the spool instead.
        spool.abandonOutstanding(reason);
      }
    }
    long count = counters.droppedOpen(reason);
    if (count > 0) {
      log.log(
          Level.WARN,
          "dropped-" + reason,
          count,
          "durable-tracker: dropped " + count + " events (" + reason + "): " + detail);
    }
  }

  /** Something escaped a turn of the loop: account for what is held, log, pause briefly, go on. */
  private void failed(Throwable error) {
    try {
      oldestSince = NONE;
      dropHeld(DropReason.INTERNAL_ERROR, "the sender failed with " + error.getClass().getName());
      log.log(Level.ERROR, "loop-failure", 0, "durable-tracker: the sender failed; it keeps running", error);
    } catch (Throwable again) {
      // Nothing more can be done here; close() still accounts for every event.
    }
    LockSupport.parkNanos(this, FAILURE_PAUSE_NANOS);
  }

  /** Logs drops counted on callers' threads, where logging would cost them. */
  private void reportRefusals() {
    for (DropReason reason : REFUSALS) {
      long now = counters.refusedCount(reason);
      long before = reportedRefusals.getOrDefault(reason, 0L);
      if (now > before) {
        reportedRefusals.put(reason, now);
        String why =
            switch (reason) {
              case QUEUE_FULL -> "the queue held maxQueueSize=" + queue.capacity() + " events";
              case INVALID -> "the event was null";
              default -> "the tracker is closed";
            };
        log.log(
            Level.WARN,
            "refused-" + reason,
            now - before,
            "durable-tracker: dropped " + (now - before) + " events (" + reason + "): " + why);
      }
    }
  }
}
