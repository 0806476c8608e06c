package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog.Level;
import dev.durableeffect.tracker.delivery.OutgoingBatch;
import dev.durableeffect.tracker.delivery.Transport;
import dev.durableeffect.tracker.delivery.TransportContext;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sends batches in order, one request at a time, each batch until it is delivered or dropped:
 * retries with backoff (the same {@code Idempotency-Key} every time), splits on 413, drops on a
 * status that retrying cannot fix. A later batch starts only once the one before it is resolved, so
 * the endpoint sees events in the order they were taken from the queue, retries included.
 *
 * <p>It never blocks: {@link #advance} handles whatever has happened (a response arrived, a retry
 * became due) and says when it next needs attention; the request's completion wakes the sender
 * thread through the {@link TransportContext}. Sender thread only. With a spool, retryable failures
 * are retried until delivery (the spool's eviction and age bound limit them instead).
 *
 * <p>Memory: the batch being sent plus at most one batch ahead ({@link #hasRoom}); the two halves of
 * a split batch replace it.
 */
final class Lane implements Transport {

  private final HttpClient client;
  private final HttpSender sender;
  private final RetryPolicy retryPolicy;
  private final TransportContext context;
  private final long requestTimeoutNanos;
  private final String endpoint;

  private final ArrayDeque<OutgoingBatch> ahead = new ArrayDeque<>(2);
  /** The batch being sent: its request is in flight, or it waits for its retry time. */
  private @Nullable OutgoingBatch current;
  private @Nullable CompletableFuture<HttpSender.Response> request;
  private long startedNanos;
  /**
   * Shutdown gave up on a spooled batch, which stays in the spool: no later batch may be sent before
   * it, so the lane sends nothing more.
   */
  private boolean halted;
  private long retryAtNanos;

  Lane(
      HttpClient client,
      HttpSender sender,
      RetryPolicy retryPolicy,
      TransportContext context,
      HttpBatchTrackerConfig config) {
    this.client = client;
    this.sender = sender;
    this.retryPolicy = retryPolicy;
    this.context = context;
    this.requestTimeoutNanos = config.requestTimeout().toNanos();
    this.endpoint = config.redactedEndpoint();
  }

  /** Whether nothing is being sent or waiting to be. */
  @Override
  public boolean idle() {
    return current == null && ahead.isEmpty();
  }

  /**
   * Whether the lane takes another batch: it holds none besides the one being sent, and shutdown has
   * not given up on a batch kept in the spool.
   */
  @Override
  public boolean hasRoom() {
    return ahead.isEmpty() && !halted;
  }

  /** Queues a batch behind the others; its body is encoded now, while a request may be in flight. */
  @Override
  public void add(OutgoingBatch batch) {
    try {
      payload(batch);
    } catch (Throwable e) {
      // start() encodes again and counts the failure against the batch's attempts.
    }
    ahead.addLast(batch);
  }

  /** The request body as sent (compressed if configured); built once, reused by retries. */
  private byte[] payload(OutgoingBatch batch) {
    if (batch.attachment() instanceof byte[] built) {
      return built;
    }
    byte[] built = sender.encode(batch.body());
    batch.attach(built);
    return built;
  }

  /** Closes the sender and the tracker's own HTTP client. */
  @Override
  public void close() {
    sender.close();
    TrackerHttpClient.close(client);
  }

  /**
   * Handles a finished request, starts a due retry or the next batch, as far as it can go now.
   *
   * @param now {@link System#nanoTime()}
   * @param closing whether shutdown has begun; then nothing may outlive {@code deadline}
   * @param deadline the shutdown deadline, when closing
   * @return the {@code nanoTime} of the next retry, or {@link #NO_TIMER}
   */
  @Override
  public long advance(long now, boolean closing, long deadline) {
    while (true) {
      CompletableFuture<HttpSender.Response> inFlight = request;
      OutgoingBatch batch = current;
      if (inFlight != null && batch != null) {
        if (!inFlight.isDone()) {
          return NO_TIMER;
        }
        request = null;
        handle(batch, inFlight.join(), closing, deadline);
        continue;
      }
      if (batch != null) {
        if (now - retryAtNanos < 0) {
          return retryAtNanos;
        }
        start(batch, closing, deadline);
        continue;
      }
      OutgoingBatch next = ahead.pollFirst();
      if (next == null) {
        return NO_TIMER;
      }
      current = next;
      start(next, closing, deadline);
    }
  }

  /**
   * Cancels the request in flight and lets go of every batch without counting them: the engine
   * accounts for them (shutdown out of time, or a failure of the sender).
   */
  @Override
  public void forget() {
    CompletableFuture<HttpSender.Response> inFlight = request;
    request = null;
    current = null;
    ahead.clear();
    if (inFlight != null) {
      inFlight.cancel(true);
    }
  }

  private void start(OutgoingBatch batch, boolean closing, long deadline) {
    long timeout = requestTimeoutNanos;
    if (closing) {
      timeout = Math.min(timeout, deadline - System.nanoTime());
      if (timeout <= 0) {
        current = null;
        giveUpAtShutdown(batch, "shutdown timeout reached");
        return;
      }
    }
    batch.attempted();
    startedNanos = System.nanoTime();
    CompletableFuture<HttpSender.Response> sent;
    try {
      sent = sender.send(payload(batch), batch.idempotencyKey(), Duration.ofNanos(timeout));
    } catch (Throwable e) {
      sent =
          CompletableFuture.completedFuture(
              new HttpSender.Response(0, null, "request failed (" + e.getClass().getSimpleName() + ")"));
    }
    request = sent;
    sent.whenComplete((response, error) -> context.wake());
  }

  private void handle(OutgoingBatch batch, HttpSender.Response response, boolean closing, long deadline) {
    long now = System.nanoTime();
    RetryPolicy.Verdict verdict = RetryPolicy.classify(response);
    report(response, verdict, now - startedNanos, batch);
    current = null;
    switch (verdict) {
      case SUCCESS -> context.delivered(batch, batch.size());
      case SPLIT -> {
        if (batch.size() == 1) {
          context.dropped(batch, DropReason.TOO_LARGE, 1, "endpoint answered 413 to a single event");
          return;
        }
        context
            .log()
            .log(Level.INFO, "split", batch.size(), "durable-tracker: endpoint answered 413; splitting batches in halves");
        OutgoingBatch[] halves = batch.halves();
        ahead.addFirst(halves[1]);
        ahead.addFirst(halves[0]);
      }
      case REJECT ->
          context.dropped(
              batch,
              DropReason.REJECTED,
              batch.size(),
              "endpoint " + endpoint + " answered " + response.describe());
      case MISCONFIGURED ->
          context.dropped(
              batch,
              DropReason.REJECTED,
              batch.size(),
              "request to "
                  + endpoint
                  + " failed: "
                  + response.describe()
                  + "; not retried, since only a configuration change can fix it (TLS trust store or"
                  + " client certificate, proxy, header values)");
      case RETRY -> {
        if (context.expired(batch)) {
          context.dropped(
              batch,
              DropReason.EXPIRED,
              batch.size(),
              "the events waited in the spool longer than maxAge; the last attempt failed with "
                  + response.describe());
          return;
        }
        if (!context.retryForever() && !retryPolicy.mayRetry(batch.attempts())) {
          context.dropped(
              batch,
              DropReason.RETRIES_EXHAUSTED,
              batch.size(),
              batch.attempts() + " attempts failed, the last with " + response.describe() + " from " + endpoint);
          return;
        }
        long delay = retryPolicy.delayNanos(batch.attempts(), response.retryAfter());
        if (closing && now + delay - deadline > 0) {
          giveUpAtShutdown(batch, "shutdown timeout reached while waiting to retry");
          return;
        }
        context
            .log()
            .log(
                Level.INFO,
                "retry",
                batch.size(),
                "durable-tracker: "
                    + response.describe()
                    + " from "
                    + endpoint
                    + "; retrying in "
                    + Duration.ofNanos(delay).toMillis()
                    + " ms");
        current = batch;
        retryAtNanos = now + delay;
      }
    }
  }

  /**
   * Shutdown has no time left for {@code batch}: dropped as CLOSED, or, when it is spooled, kept in
   * the spool; then every batch behind it is kept too and the lane stops, so that nothing is sent
   * ahead of it (the next start sends them, in order).
   */
  private void giveUpAtShutdown(OutgoingBatch batch, String detail) {
    context.shutdownReached(batch, batch.size(), detail);
    if (context.retryForever()) {
      halted = true;
      OutgoingBatch next;
      while ((next = ahead.pollFirst()) != null) {
        context.shutdownReached(next, next.size(), detail);
      }
    }
  }

  /** Health status and the {@link SendListener}s' report of one request. */
  private void report(HttpSender.Response response, RetryPolicy.Verdict verdict, long tookNanos, OutgoingBatch batch) {
    if (verdict == RetryPolicy.Verdict.SUCCESS) {
      context.requestSucceeded();
    } else {
      context.requestFailed(response.describe());
    }
    if (!context.hasListeners()) {
      return;
    }
    SendOutcome outcome =
        switch (verdict) {
          case SUCCESS -> SendOutcome.SUCCESS;
          case RETRY -> SendOutcome.RETRY;
          case SPLIT, REJECT, MISCONFIGURED -> SendOutcome.REJECTED;
        };
    context.report(
        new SendReport(
            response.status(), outcome, Duration.ofNanos(tookNanos), batch.size(), batch.idempotencyKey()));
  }
}
