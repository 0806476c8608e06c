package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog.Level;
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
 * thread through {@code wake}. Sender thread only.
 *
 * <p>Memory: the batch being sent plus at most one batch ahead ({@link #hasRoom}); the two halves of
 * a split batch replace it.
 */
final class Lane {

  /** {@link #advance} result: nothing to wait for but a response or new batches. */
  static final long NO_TIMER = Long.MIN_VALUE;

  private final HttpSender sender;
  private final RetryPolicy retryPolicy;
  private final Outcomes outcomes;
  private final Runnable wake;
  private final long requestTimeoutNanos;
  private final String endpoint;

  private final ArrayDeque<Batch> ahead = new ArrayDeque<>(2);
  /** The batch being sent: its request is in flight, or it waits for its retry time. */
  private @Nullable Batch current;
  private @Nullable CompletableFuture<HttpSender.Response> request;
  private long startedNanos;
  private long retryAtNanos;

  Lane(HttpSender sender, RetryPolicy retryPolicy, Outcomes outcomes, HttpBatchTrackerConfig config, Runnable wake) {
    this.sender = sender;
    this.retryPolicy = retryPolicy;
    this.outcomes = outcomes;
    this.wake = wake;
    this.requestTimeoutNanos = config.requestTimeout().toNanos();
    this.endpoint = config.redactedEndpoint();
  }

  /** Whether nothing is being sent or waiting to be. */
  boolean idle() {
    return current == null && ahead.isEmpty();
  }

  /** Whether the lane takes another batch: it holds none besides the one being sent. */
  boolean hasRoom() {
    return ahead.isEmpty();
  }

  /** Queues a batch behind the others; its body is encoded now, while a request may be in flight. */
  void add(Batch batch) {
    try {
      batch.payload(sender);
    } catch (Throwable e) {
      // start() encodes again and counts the failure against the batch's attempts.
    }
    ahead.addLast(batch);
  }

  /**
   * Handles a finished request, starts a due retry or the next batch, as far as it can go now.
   *
   * @param now {@link System#nanoTime()}
   * @param closing whether shutdown has begun; then nothing may outlive {@code deadline}
   * @param deadline the shutdown deadline, when closing
   * @return the {@code nanoTime} of the next retry, or {@link #NO_TIMER}
   */
  long advance(long now, boolean closing, long deadline) {
    while (true) {
      CompletableFuture<HttpSender.Response> inFlight = request;
      Batch batch = current;
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
      Batch next = ahead.pollFirst();
      if (next == null) {
        return NO_TIMER;
      }
      current = next;
      start(next, closing, deadline);
    }
  }

  /**
   * Cancels the request in flight and lets go of every batch without counting them: the caller
   * accounts for them through the {@link Ledger} (shutdown out of time, or a failure of the sender).
   */
  void forget() {
    CompletableFuture<HttpSender.Response> inFlight = request;
    request = null;
    current = null;
    ahead.clear();
    if (inFlight != null) {
      inFlight.cancel(true);
    }
  }

  private void start(Batch batch, boolean closing, long deadline) {
    long timeout = requestTimeoutNanos;
    if (closing) {
      timeout = Math.min(timeout, deadline - System.nanoTime());
      if (timeout <= 0) {
        current = null;
        outcomes.dropped(batch, DropReason.CLOSED, "shutdown timeout reached");
        return;
      }
    }
    batch.attempted();
    startedNanos = System.nanoTime();
    CompletableFuture<HttpSender.Response> sent;
    try {
      sent = sender.send(batch.payload(sender), batch.idempotencyKey(), Duration.ofNanos(timeout));
    } catch (Throwable e) {
      sent =
          CompletableFuture.completedFuture(
              new HttpSender.Response(0, null, "request failed (" + e.getClass().getSimpleName() + ")"));
    }
    request = sent;
    sent.whenComplete((response, error) -> wake.run());
  }

  private void handle(Batch batch, HttpSender.Response response, boolean closing, long deadline) {
    long now = System.nanoTime();
    RetryPolicy.Verdict verdict = RetryPolicy.classify(response);
    outcomes.report(response, verdict, now - startedNanos, batch);
    current = null;
    switch (verdict) {
      case SUCCESS -> outcomes.delivered(batch);
      case SPLIT -> {
        if (batch.size() == 1) {
          outcomes.dropped(batch, DropReason.TOO_LARGE, "endpoint answered 413 to a single event");
          return;
        }
        outcomes
            .log()
            .log(Level.INFO, "split", batch.size(), "durable-tracker: endpoint answered 413; splitting batches in halves");
        Batch[] halves = batch.halves();
        ahead.addFirst(halves[1]);
        ahead.addFirst(halves[0]);
      }
      case REJECT ->
          outcomes.dropped(
              batch, DropReason.REJECTED, "endpoint " + endpoint + " answered " + response.describe());
      case MISCONFIGURED ->
          outcomes.dropped(
              batch,
              DropReason.REJECTED,
              "request to "
                  + endpoint
                  + " failed: "
                  + response.describe()
                  + "; not retried, since only a configuration change can fix it (TLS trust store or"
                  + " client certificate, proxy, header values)");
      case RETRY -> {
        if (!retryPolicy.mayRetry(batch.attempts())) {
          outcomes.dropped(
              batch,
              DropReason.RETRIES_EXHAUSTED,
              batch.attempts() + " attempts failed, the last with " + response.describe() + " from " + endpoint);
          return;
        }
        long delay = retryPolicy.delayNanos(batch.attempts(), response.retryAfter());
        if (closing && now + delay - deadline > 0) {
          outcomes.dropped(batch, DropReason.CLOSED, "shutdown timeout reached while waiting to retry");
          return;
        }
        outcomes
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
}
