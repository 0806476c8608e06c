package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.http.DeliveryStatus;
import dev.durableeffect.tracker.http.SendListener;
import dev.durableeffect.tracker.spool.SpoolStatus;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A tracker that is a {@link DeliveryEngine} with one transport (HTTP, Kafka): everything but how
 * the engine is made is the engine's, in one place.
 */
public abstract class EngineTracker implements DeliveringTracker {

  private final DeliveryEngine engine;

  /** A tracker over {@code engine}, which it closes. */
  protected EngineTracker(DeliveryEngine engine) {
    this.engine = engine;
  }

  /** Validates and enqueues in O(1) on the caller's thread: no I/O, no locks, no JSON; never throws. */
  @Override
  public final void emit(@Nullable WorkflowEvent event) {
    engine.emit(event);
  }

  /**
   * Completes once every event accepted before this call is delivered or dropped: tracked by
   * sequence number, so events accepted later (and dropped early) cannot complete it sooner.
   */
  @Override
  public final CompletableFuture<Void> flush() {
    return engine.flush();
  }

  @Override
  public final long pending() {
    return engine.pending();
  }

  @Override
  public final TrackerStats stats() {
    return engine.stats();
  }

  /** How delivery has been going: last success, last failure and its reason. */
  @Override
  public final DeliveryStatus deliveryStatus() {
    return engine.deliveryStatus();
  }

  /** Events waiting in the queue (not counting the batches being sent). */
  @Override
  public final long queueSize() {
    return engine.queueSize();
  }

  @Override
  public final int queueCapacity() {
    return engine.settings().maxQueueSize();
  }

  /** Observes every send from now on, for metrics. */
  @Override
  public final void addSendListener(SendListener listener) {
    engine.addSendListener(listener);
  }

  /** Where events go, without credentials. */
  @Override
  public final String destination() {
    return engine.settings().destination();
  }

  @Override
  public final @Nullable SpoolStatus spoolStatus() {
    return engine.spoolStatus();
  }

  /**
   * Stops intake, delivers what it can within {@code shutdownTimeout}, counts what is left as
   * dropped ({@link DropReason#CLOSED}; with a spool, what was written to it stays there for the
   * next start), and releases the sender thread and the transport. Idempotent; a second call waits
   * for the first to finish. Never throws; an interrupt of the calling thread does not cut the
   * drain short and is restored on return.
   */
  @Override
  public final void close() {
    engine.close();
  }
}
