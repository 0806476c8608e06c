package dev.durableeffect.tracker;

import dev.durableeffect.tracker.event.WorkflowEvent;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Accepts workflow events and delivers them to a tracking backend.
 *
 * <p>Implementations never throw from {@link #emit} and never block the caller in it: tracking must
 * not slow or break workflow code. They enrich events with {@code env} and {@code serviceKey} before
 * sending.
 */
public interface EventTracker extends AutoCloseable {

  /**
   * Hands an event to the tracker. Never throws and never blocks; an event the tracker cannot take
   * is counted as dropped in {@link #stats()}.
   */
  void emit(WorkflowEvent event);

  /**
   * Completes when every event accepted before this call is delivered or given up on. Never
   * completes exceptionally.
   */
  CompletableFuture<Void> flush();

  /**
   * Blocking convenience over {@link #flush()}: waits at most {@code timeout}.
   *
   * @return whether the flush finished in time
   */
  default boolean flush(Duration timeout) {
    try {
      flush().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Events accepted and not yet delivered or dropped. */
  long pending();

  /** A snapshot of the tracker's accounting. */
  TrackerStats stats();

  /** Stops intake, delivers what it can, and frees resources. Idempotent. Never throws. */
  @Override
  void close();
}
