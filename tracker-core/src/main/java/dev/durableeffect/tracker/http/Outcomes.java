package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.RateLimitedLog.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the sender resolves events: counts them delivered or dropped (by {@link Ledger.Span}), logs
 * drops at most once per interval and reason, and tells {@link SendListener}s about each request.
 * Sender thread only, except {@link #addListener}.
 */
final class Outcomes {

  private static final Logger LOGGER = LoggerFactory.getLogger(HttpBatchTracker.class);

  private final DeliveryCounters counters;
  private final RateLimitedLog log;
  private final List<SendListener> listeners = new CopyOnWriteArrayList<>();

  Outcomes(DeliveryCounters counters, RateLimitedLog log) {
    this.counters = counters;
    this.log = log;
  }

  DeliveryCounters counters() {
    return counters;
  }

  RateLimitedLog log() {
    return log;
  }

  void addListener(SendListener listener) {
    listeners.add(listener);
  }

  void delivered(Batch batch) {
    counters.delivered(batch.span(), batch.size());
    LOGGER.debug("durable-tracker: delivered {} events", batch.size());
  }

  void dropped(Batch batch, DropReason reason, String detail) {
    dropped(batch.span(), reason, batch.size(), detail);
  }

  void dropped(Ledger.Span span, DropReason reason, int count, String detail) {
    counters.dropped(span, reason, count);
    log.log(
        Level.WARN,
        "dropped-" + reason,
        count,
        "durable-tracker: dropped " + count + (count == 1 ? " event (" : " events (") + reason + "): " + detail);
  }

  void report(HttpSender.Response response, RetryPolicy.Verdict verdict, long tookNanos, Batch batch) {
    if (verdict == RetryPolicy.Verdict.SUCCESS) {
      counters.requestSucceeded();
    } else {
      counters.requestFailed(response.describe());
    }
    if (listeners.isEmpty()) {
      return;
    }
    SendOutcome outcome =
        switch (verdict) {
          case SUCCESS -> SendOutcome.SUCCESS;
          case RETRY -> SendOutcome.RETRY;
          case SPLIT, REJECT, MISCONFIGURED -> SendOutcome.REJECTED;
        };
    SendReport report =
        new SendReport(
            response.status(), outcome, Duration.ofNanos(tookNanos), batch.size(), batch.idempotencyKey());
    for (SendListener listener : listeners) {
      try {
        listener.onSend(report);
      } catch (Throwable e) {
        log.log(Level.WARN, "listener", 0, "durable-tracker: send listener failed: " + e);
      }
    }
  }
}
