package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog.Level;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.http.SendListener;
import dev.durableeffect.tracker.http.SendReport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link Transport} resolves events through: counts them delivered or dropped, logs drops at
 * most once per interval and reason, keeps the health status, and tells {@link SendListener}s about
 * each send. Sender thread only, except {@link #wake()}.
 */
public final class TransportContext {

  private static final Logger LOGGER = LoggerFactory.getLogger(TransportContext.class);

  private final DeliveryCounters counters;
  private final RateLimitedLog log;
  private final Runnable wake;
  private final @Nullable SpoolSource spool;
  private final List<SendListener> listeners = new CopyOnWriteArrayList<>();

  TransportContext(DeliveryCounters counters, RateLimitedLog log, Runnable wake, @Nullable SpoolSource spool) {
    this.counters = counters;
    this.log = log;
    this.wake = wake;
    this.spool = spool;
  }

  /** Wakes the sender thread, which then calls {@link Transport#advance}; any thread may call it. */
  public void wake() {
    wake.run();
  }

  /** The tracker's rate-limited log: one line per outcome class per 30 s. */
  public RateLimitedLog log() {
    return log;
  }

  /**
   * Whether events are spooled to disk: then a retryable failure is retried until the events are
   * delivered, evicted or expired, never given up after a number of attempts.
   */
  public boolean retryForever() {
    return spool != null;
  }

  /**
   * Whether {@code batch} came from the spool and its oldest event has waited there longer than the
   * spool's {@code maxAge}: a transport about to retry it drops it as {@link DropReason#EXPIRED}
   * instead.
   */
  public boolean expired(OutgoingBatch batch) {
    return spool != null && batch.spooled() != null && spool.expired(batch.firstAppendedAtMillis());
  }

  /** {@code count} events of {@code batch} reached the destination. */
  public void delivered(OutgoingBatch batch, int count) {
    counters.delivered(batch.span(), count, batch.spooled() != null);
    spoolResolved(batch, count);
    LOGGER.debug("durable-tracker: delivered {} events", count);
  }

  /** {@code count} events of {@code batch} are given up on, for {@code reason}; logged (rate limited). */
  public void dropped(OutgoingBatch batch, DropReason reason, int count, String detail) {
    counters.dropped(batch.span(), reason, count, batch.spooled() != null);
    spoolResolved(batch, count);
    logDrop(reason, count, detail);
  }

  /**
   * Shutdown ran out of time for {@code count} events of {@code batch}: dropped as {@link
   * DropReason#CLOSED}, unless they are spooled, in which case they stay on disk for the next start
   * and remain pending.
   */
  public void shutdownReached(OutgoingBatch batch, int count, String detail) {
    if (batch.spooled() == null) {
      dropped(batch, DropReason.CLOSED, count, detail);
    }
  }

  /** A send succeeded: the health status's last success, failures reset. */
  public void requestSucceeded() {
    counters.requestSucceeded();
  }

  /** A send failed for {@code reason} (no secrets): the health status's last failure. */
  public void requestFailed(String reason) {
    counters.requestFailed(reason);
  }

  /** Tells the {@link SendListener}s (metrics) about one send; a failing listener is logged. */
  public void report(SendReport report) {
    for (SendListener listener : listeners) {
      try {
        listener.onSend(report);
      } catch (Throwable e) {
        log.log(Level.WARN, "listener", 0, "durable-tracker: send listener failed: " + e);
      }
    }
  }

  /** Whether anyone listens to {@link #report}; lets a transport skip building reports. */
  public boolean hasListeners() {
    return !listeners.isEmpty();
  }

  void addListener(SendListener listener) {
    listeners.add(listener);
  }

  void logDrop(DropReason reason, long count, String detail) {
    log.log(
        Level.WARN,
        "dropped-" + reason,
        count,
        "durable-tracker: dropped " + count + (count == 1 ? " event (" : " events (") + reason + "): " + detail);
  }

  private void spoolResolved(OutgoingBatch batch, int count) {
    SpoolRange range = batch.spooled();
    if (range != null && spool != null) {
      spool.resolved(range, count);
    }
  }
}
