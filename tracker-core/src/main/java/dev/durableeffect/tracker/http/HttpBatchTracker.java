package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WorkflowEvent;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events in batches over HTTP without ever slowing the caller.
 *
 * <p>{@link #emit} validates and enqueues in O(1) on the caller's thread: no I/O, no locks, no
 * JSON. One daemon thread of the tracker's own forms batches by size, bytes and age, enriches them
 * with {@code env} and {@code serviceKey}, serializes and compresses them once, and POSTs {@code
 * {"events":[...]}} with retries (see {@link HttpBatchTrackerConfig}). Every event handed to {@code
 * emit} ends up delivered, dropped under a {@link DropReason}, or pending: {@code emitted ==
 * delivered + dropped + pending} at every quiescent point.
 */
public final class HttpBatchTracker implements EventTracker {

  private static final Logger LOGGER = LoggerFactory.getLogger(HttpBatchTracker.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final Duration ABORT_GRACE = Duration.ofSeconds(2);

  private final HttpBatchTrackerConfig config;
  private final EventQueue queue;
  private final DeliveryCounters counters;
  private final FlushWaiters waiters = new FlushWaiters();
  private final SenderLoop loop;
  private final Thread senderThread;
  private final HttpClient client;
  private final HttpSender sender;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile boolean closedFlag;

  private HttpBatchTracker(HttpBatchTrackerConfig config, HttpClient client) {
    this.config = config;
    this.queue = new EventQueue(config.maxQueueSize());
    this.counters = new DeliveryCounters(Clock.systemUTC());
    this.client = client;
    this.sender = new HttpSender(client, config, TrackerVersion.userAgent());
    RateLimitedLog log = new RateLimitedLog(LOGGER, Duration.ofSeconds(30));
    this.loop =
        new SenderLoop(
            config,
            queue,
            counters,
            waiters,
            sender,
            new RetryPolicy(
                config.maxAttempts(), config.initialDelay(), config.maxDelay(), Clock.systemUTC()),
            log);
    this.senderThread = new Thread(loop, "durable-tracker-sender-" + THREADS.incrementAndGet());
    senderThread.setDaemon(true);
    senderThread.start();
    LOGGER.info("durable-tracker: sending events to {}", config.redactedEndpoint());
  }

  /**
   * A tracker with its own JDK {@link HttpClient}, built from {@code config} (timeouts, {@link
   * HttpBatchTrackerConfig#sslContext() TLS}, {@link HttpBatchTrackerConfig#proxy() proxy}) and
   * released by {@link #close()}.
   */
  public static HttpBatchTracker create(HttpBatchTrackerConfig config) {
    return create(config, builder -> {});
  }

  /**
   * A tracker with its own JDK {@link HttpClient}: built from {@code config}, then handed to
   * {@code clientCustomizer}, which may change any setting (executor, SSL parameters, HTTP version,
   * an authenticator, ...) before it is built. The client is the tracker's alone, never an
   * application's, so nothing configured for the application's HTTP traffic (default headers,
   * filters, observation) reaches the tracking endpoint.
   */
  public static HttpBatchTracker create(
      HttpBatchTrackerConfig config, Consumer<HttpClient.Builder> clientCustomizer) {
    return new HttpBatchTracker(config, TrackerHttpClient.build(config, clientCustomizer));
  }

  @Override
  public void emit(WorkflowEvent event) {
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
  @Override
  public CompletableFuture<Void> flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long target = queue.accepted();
    waiters.add(target, done);
    waiters.completeUpTo(counters.watermark());
    if (terminated.isDone()) {
      waiters.completeAll();
    }
    loop.wake();
    return done;
  }

  @Override
  public long pending() {
    return Math.max(0, queue.accepted() - counters.resolved());
  }

  @Override
  public TrackerStats stats() {
    return counters.snapshot(queue.accepted());
  }

  /** How delivery has been going: last success, last failure and its reason. */
  public DeliveryStatus deliveryStatus() {
    return counters.status();
  }

  /** The configuration this tracker runs with. */
  public HttpBatchTrackerConfig config() {
    return config;
  }

  /** Events waiting in the queue (not counting the batch being sent). */
  public long queueSize() {
    return queue.size();
  }

  /** Observes every HTTP request from now on, for metrics. */
  public void addSendListener(SendListener listener) {
    loop.addListener(listener);
  }

  /**
   * Stops intake, delivers what it can within {@code shutdownTimeout}, counts what is left as
   * dropped ({@link DropReason#CLOSED}), and frees the sender thread and connections. Idempotent; a
   * second call waits for the first to finish. Never throws; an interrupt of the calling thread does
   * not cut the drain short and is restored on return.
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
      long deadline = now + config.shutdownTimeout().toNanos();
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
      releaseConnections();
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
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
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

  private void releaseConnections() {
    sender.close();
    TrackerHttpClient.close(client);
  }

  @Override
  public String toString() {
    return "HttpBatchTracker[" + config.redactedEndpoint() + "]";
  }
}
