package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.RateLimitedLog.Level;
import dev.durableeffect.tracker.event.WorkflowEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker's one sender thread: waits until a batch is due (full, old enough, flushed, or
 * closing), serializes it, POSTs it with retries, and resolves every event exactly once as
 * delivered or dropped. Only this thread sends, so batches go out in order and one at a time.
 */
final class SenderLoop implements Runnable {

  private static final Logger LOGGER = LoggerFactory.getLogger(HttpBatchTracker.class);
  private static final long NONE = Long.MIN_VALUE;
  private static final long IDLE_PARK_NANOS = Duration.ofSeconds(1).toNanos();
  private static final DropReason[] REFUSALS = {DropReason.QUEUE_FULL, DropReason.CLOSED, DropReason.INVALID};

  private final HttpBatchTrackerConfig config;
  private final EventQueue queue;
  private final DeliveryCounters counters;
  private final FlushWaiters waiters;
  private final BatchAssembler assembler;
  private final HttpSender sender;
  private final RetryPolicy retryPolicy;
  private final RateLimitedLog log;
  private final List<SendListener> listeners = new CopyOnWriteArrayList<>();
  private final long intervalNanos;
  private final EnumMap<DropReason, Long> reportedRefusals = new EnumMap<>(DropReason.class);

  /** A request started for a batch, whose response is not handled yet. */
  private record Started(Batch batch, CompletableFuture<HttpSender.Response> response, long startedNanos) {}

  /** What the sender thread is doing, so producers wake it only when it waits for them. */
  private static final long RUNNING = 0;
  private static final long IDLE = 1;
  private static final long WAITING = 2;

  private final PaddedSequence sleepState = new PaddedSequence();
  private volatile @Nullable Thread thread;
  /** The batch whose request is in flight and not yet handled; sender thread only. */
  private @Nullable Started inFlight;
  private volatile boolean closing;
  private volatile long closeDeadline = Long.MAX_VALUE;
  private final CompletableFuture<Object> abort = new CompletableFuture<>();

  SenderLoop(
      HttpBatchTrackerConfig config,
      EventQueue queue,
      DeliveryCounters counters,
      FlushWaiters waiters,
      HttpSender sender,
      RetryPolicy retryPolicy,
      RateLimitedLog log) {
    this.config = config;
    this.queue = queue;
    this.counters = counters;
    this.waiters = waiters;
    this.assembler = new BatchAssembler(config);
    this.sender = sender;
    this.retryPolicy = retryPolicy;
    this.log = log;
    this.intervalNanos = config.flushInterval().toNanos();
  }

  void addListener(SendListener listener) {
    listeners.add(listener);
  }

  /** Stop waiting for full batches: drain now, and give up on what is left at the deadline. */
  void beginClose(long deadlineNanos) {
    closeDeadline = deadlineNanos;
    closing = true;
  }

  /** The shutdown deadline passed: cancel the request in flight and stop. */
  void abort() {
    abort.complete(Boolean.TRUE);
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
    boolean wake = state == IDLE || (depthBound >= config.batchSize() && queue.size() >= config.batchSize());
    if (wake && sleepState.compareAndSet(state, RUNNING)) {
      Thread sender = thread;
      if (sender != null) {
        LockSupport.unpark(sender);
      }
    }
  }

  // Each park publishes the state first and checks the queue after: a producer offers before it
  // reads the state, so either it sees the sender waiting and wakes it, or the sender sees its event.
  private void parkIdle() {
    sleepState.set(IDLE);
    if (queue.size() == 0 && !closing) {
      LockSupport.parkNanos(this, IDLE_PARK_NANOS);
    }
    sleepState.set(RUNNING);
  }

  private void parkWaiting(long nanos) {
    sleepState.set(WAITING);
    if (queue.size() < config.batchSize() && !closing) {
      LockSupport.parkNanos(this, nanos);
    }
    sleepState.set(RUNNING);
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    long oldestSince = NONE;
    while (true) {
      try {
        reportRefusals();
        long depth = queue.size();
        if (closing && (depth == 0 || abort.isDone())) {
          finishInFlight();
          return;
        }
        long now = System.nanoTime();
        if (depth == 0) {
          oldestSince = NONE;
          finishInFlight();
          waiters.completeUpTo(counters.resolved());
          if (queue.size() == 0) {
            parkIdle();
          }
          continue;
        }
        if (oldestSince == NONE) {
          oldestSince = now;
        }
        boolean due =
            closing
                || depth >= config.batchSize()
                || now - oldestSince >= intervalNanos
                || waiters.waitingBeyond(counters.resolved());
        if (!due) {
          if (inFlight != null) {
            finishInFlight();
            waiters.completeUpTo(counters.resolved());
            continue;
          }
          parkWaiting(oldestSince + intervalNanos - now);
          continue;
        }
        List<WorkflowEvent> events = drain(config.batchSize());
        if (events.isEmpty()) {
          // A producer reserved a slot and is about to fill it.
          Thread.onSpinWait();
          continue;
        }
        deliver(events);
        waiters.completeUpTo(counters.resolved());
        if (queue.size() == 0) {
          oldestSince = NONE;
        }
        // Otherwise the rest keeps the age of the oldest event seen: it is sent no later than
        // flushInterval after that, never later than its own due time.
      } catch (RuntimeException | Error e) {
        LOGGER.error("durable-tracker: sender loop failed; it keeps running", e);
      }
    }
  }

  private List<WorkflowEvent> drain(int max) {
    List<WorkflowEvent> events = new ArrayList<>(Math.min(max, 1024));
    queue.drainTo(events, max);
    return events;
  }

  /**
   * Serializes the events into batches and starts their requests, one at a time and in order. The
   * next batch is serialized (and compressed) while the previous one's request is in flight; its
   * request starts only once the previous batch is delivered or dropped, so batches keep their
   * order even across retries.
   */
  private void deliver(List<WorkflowEvent> events) {
    for (Batch batch : assembler.assemble(events, this::dropOne)) {
      batch.payload(sender);
      finishInFlight();
      inFlight = start(batch);
    }
  }

  /** Waits for the request in flight, if any, and resolves its batch (with retries). */
  private void finishInFlight() {
    Started started = inFlight;
    if (started != null) {
      inFlight = null;
      send(started.batch(), started);
    }
  }

  /** Starts a request for {@code batch}, or drops it when shutdown leaves no time (null then). */
  private @Nullable Started start(Batch batch) {
    if (abort.isDone()) {
      drop(batch, DropReason.CLOSED, "shutdown timeout reached");
      return null;
    }
    long timeoutNanos = config.requestTimeout().toNanos();
    if (closing) {
      timeoutNanos = Math.min(timeoutNanos, closeDeadline - System.nanoTime());
      if (timeoutNanos <= 0) {
        drop(batch, DropReason.CLOSED, "shutdown timeout reached");
        return null;
      }
    }
    long startedNanos = System.nanoTime();
    CompletableFuture<HttpSender.Response> request;
    try {
      request = sender.send(batch.payload(sender), batch.idempotencyKey(), Duration.ofNanos(timeoutNanos));
    } catch (RuntimeException e) {
      request =
          CompletableFuture.completedFuture(
              new HttpSender.Response(0, null, "request failed (" + e.getClass().getSimpleName() + ")"));
    }
    return new Started(batch, request, startedNanos);
  }

  private void dropOne(DropReason reason, String detail) {
    counters.dropped(reason, 1);
    log.log(Level.WARN, "dropped-" + reason, 1, "durable-tracker: dropped 1 event (" + reason + "): " + detail);
  }

  /** Resolves {@code batch}: awaits {@code first} (or starts a request), then retries or splits. */
  private void send(Batch batch, @Nullable Started first) {
    int retries = 0;
    Started started = first;
    while (true) {
      if (started == null) {
        started = start(batch);
        if (started == null) {
          return;
        }
      }
      HttpSender.Response response = await(started.response());
      if (response == null) {
        drop(batch, DropReason.CLOSED, "shutdown timeout reached during a request");
        return;
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started.startedNanos());
      started = null;
      RetryPolicy.Verdict verdict = RetryPolicy.classify(response.status());
      report(response, verdict, took, batch);
      switch (verdict) {
        case SUCCESS -> {
          counters.requestSucceeded();
          counters.delivered(batch.size());
          LOGGER.debug("durable-tracker: delivered {} events", batch.size());
          return;
        }
        case SPLIT -> {
          counters.requestFailed(response.describe());
          if (batch.size() == 1) {
            drop(batch, DropReason.TOO_LARGE, "endpoint answered 413 to a single event");
            return;
          }
          log.log(
              Level.INFO,
              "split",
              batch.size(),
              "durable-tracker: endpoint answered 413; splitting batches in halves");
          for (Batch half : batch.halves()) {
            send(half, null);
          }
          return;
        }
        case REJECT -> {
          counters.requestFailed(response.describe());
          drop(
              batch,
              DropReason.REJECTED,
              "endpoint " + config.redactedEndpoint() + " answered " + response.describe());
          return;
        }
        case RETRY -> {
          counters.requestFailed(response.describe());
          if (!retryPolicy.mayRetry(retries)) {
            drop(
                batch,
                DropReason.RETRIES_EXHAUSTED,
                (retries + 1)
                    + " tries failed, the last with "
                    + response.describe()
                    + " from "
                    + config.redactedEndpoint());
            return;
          }
          retries++;
          long delay = retryPolicy.delayNanos(retries, response.retryAfter());
          log.log(
              Level.INFO,
              "retry",
              batch.size(),
              "durable-tracker: "
                  + response.describe()
                  + " from "
                  + config.redactedEndpoint()
                  + "; retrying in "
                  + Duration.ofNanos(delay).toMillis()
                  + " ms");
          if (!pause(delay)) {
            drop(batch, DropReason.CLOSED, "shutdown timeout reached while waiting to retry");
            return;
          }
        }
      }
    }
  }

  /** Waits before a retry; false when shutdown will not allow the wait. */
  private boolean pause(long nanos) {
    long until = System.nanoTime() + nanos;
    while (true) {
      long now = System.nanoTime();
      if (abort.isDone() || (closing && until > closeDeadline)) {
        return false;
      }
      if (now >= until) {
        return true;
      }
      LockSupport.parkNanos(this, until - now);
    }
  }

  /** The response, or null when shutdown aborted the request. */
  private HttpSender.@Nullable Response await(CompletableFuture<HttpSender.Response> request) {
    CompletableFuture.anyOf(request, abort).join();
    if (!request.isDone()) {
      request.cancel(true);
      return null;
    }
    return request.join();
  }

  private void drop(Batch batch, DropReason reason, String detail) {
    counters.dropped(reason, batch.size());
    log.log(
        Level.WARN,
        "dropped-" + reason,
        batch.size(),
        "durable-tracker: dropped " + batch.size() + " events (" + reason + "): " + detail);
  }

  private void report(HttpSender.Response response, RetryPolicy.Verdict verdict, Duration took, Batch batch) {
    if (listeners.isEmpty()) {
      return;
    }
    SendOutcome outcome =
        switch (verdict) {
          case SUCCESS -> SendOutcome.SUCCESS;
          case RETRY -> SendOutcome.RETRY;
          case SPLIT, REJECT -> SendOutcome.REJECTED;
        };
    SendReport report =
        new SendReport(response.status(), outcome, took, batch.size(), batch.idempotencyKey());
    for (SendListener listener : listeners) {
      try {
        listener.onSend(report);
      } catch (RuntimeException e) {
        log.log(Level.WARN, "listener", 0, "durable-tracker: send listener failed: " + e);
      }
    }
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
